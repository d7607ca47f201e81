/** zod schemas shared by the server and the browser: RPC rows, realtime events, form action inputs. */
export * from './rows';
export * from './events';
export * from './inputs';
