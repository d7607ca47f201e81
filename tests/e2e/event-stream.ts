import http from 'node:http';

/**
 * A member's event stream read raw with their session cookie, as a browser's EventSource would:
 * `live` resolves once it has caught up; `ended` with its status, whether it said it was
 * connected, and how it ended.
 */
export function readStream(url: string, cookie: string) {
	let caughtUp: () => void = () => {};
	const live = new Promise<void>((done) => (caughtUp = done));
	const ended = new Promise<{ status: number; connected: boolean; how: string }>((done) => {
		let received = '';
		const end = (status: number, how: string) => done({ status, connected: received.includes(': connected'), how });
		http
			.get(url, { headers: { cookie, accept: 'text/event-stream' } }, (response) => {
				response.on('data', (chunk: Buffer) => {
					received += chunk.toString();
					if (received.includes('event: live')) caughtUp();
				});
				response.on('end', () => end(response.statusCode ?? 0, 'ended'));
				response.on('error', (error) => end(response.statusCode ?? 0, `failed: ${error.message}`));
			})
			.on('error', (error) => end(0, `failed: ${error.message}`));
	});
	return { live, ended };
}
