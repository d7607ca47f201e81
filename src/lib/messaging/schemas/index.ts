/** zod schemas shared by the server and the browser: RPC rows, realtime events, form action inputs; and the rule for a blank body. */
export * from './rows.js';
export * from './events.js';
export * from './inputs.js';
export * from './body.js';
