/** zod schemas shared by the server and the browser: RPC rows, realtime events, form action inputs. */
export * from './rows.js';
export * from './events.js';
export * from './inputs.js';
