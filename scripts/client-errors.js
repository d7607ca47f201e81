// Requests Node refuses before the app sees them: headers over its 16 KB limit (a pasted link
// gone wrong, a pile of cookies), an unparsable request line, headers that never finish. Node's
// own answer is a status line with an empty body, which a browser shows as a blank page.
const ANSWERS = {
	HPE_HEADER_OVERFLOW: [
		'431 Request Header Fields Too Large',
		'This request is too long for this server: its address and cookies may be 16 KB at most. Shorten the link, or clear this site’s cookies and sign in again.'
	],
	ERR_HTTP_REQUEST_TIMEOUT: ['408 Request Timeout', 'This request took too long to arrive. Try again.']
};
const UNREADABLE = ['400 Bad Request', 'This request could not be read.'];

/** Answers Node's refusals in words, for the server adapter-node starts (`server.server`). */
export function answerClientErrors(httpServer) {
	httpServer.on('clientError', (error, socket) => {
		// Gone, or an answer already started: nothing can be said any more.
		if (error.code === 'ECONNRESET' || !socket.writable) {
			socket.destroy();
			return;
		}
		const [status, text] = ANSWERS[error.code] ?? UNREADABLE;
		const page = `${text}\n`;
		socket.end(
			`HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(page)}\r\nConnection: close\r\n\r\n${page}`
		);
	});
}
