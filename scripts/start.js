// `npm start`: the production build (adapter-node) with this project's defaults for one machine,
// PORT checked first. A PORT that is no port reached adapter-node inside the default ORIGIN, and
// its error blamed ORIGIN, which the operator had not set.
const env = process.env;
const port = env.PORT?.trim() || '3000';
if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
	console.error('\nInvalid environment:\n  PORT: must be a port number (0 to 65535)\n');
	process.exit(1);
}
env.NODE_ENV = 'production';
env.PORT = port;
env.BODY_SIZE_LIMIT ||= '11M';
env.HOST ||= '127.0.0.1';
env.ORIGIN ||= `http://127.0.0.1:${port}`;
const { server } = await import('../build/index.js');
const { answerClientErrors } = await import('./client-errors.js');
answerClientErrors(server.server);
