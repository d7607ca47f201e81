/**
 * The load side of bench/realtime.ts, in a process of its own so that reading thousands of
 * streams does not delay the sends' timing (or the other way round). Driven over IPC by the
 * parent: opens SSE streams with raw http.request and a lean parser (only what the bench needs:
 * `event:` and `data:` lines, frames ended by a blank line), and records when each
 * `message.created` reaches which stream, on CLOCK_MONOTONIC (process.hrtime), which both
 * processes share.
 */
import http from 'node:http';

export interface StreamSpec {
	/** The stream's number in the parent's list (its user). */
	key: number;
	cookie: string;
	cursor: number;
}

export type WorkerCommand =
	| { cmd: 'open'; url: string; streams: StreamSpec[]; concurrency: number; timeoutMs: number }
	| { cmd: 'close'; keys: number[] }
	| { cmd: 'collect' }
	| { cmd: 'exit' };

export type WorkerReply =
	| { type: 'opened'; live: number; failed: string[]; ms: number }
	| { type: 'closed' }
	| {
			type: 'collected';
			/** Flat triples: stream key, message id, delivery time (ms on the monotonic clock). */
			deliveries: (number | string)[];
			resyncs: number;
			errors: number;
			ended: number;
			cpuMs: number;
			rssKiB: number;
	  };

export const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;

interface Stream {
	request: http.ClientRequest;
	live: boolean;
}

const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
const streams = new Map<number, Stream>();
let deliveries: (number | string)[] = [];
let resyncs = 0;
let errors = 0;
let ended = 0;

function open(url: string, spec: StreamSpec, timeoutMs: number): Promise<void> {
	return new Promise((resolve, reject) => {
		let buffer = '';
		let settled = false;
		const settle = (error?: Error) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			if (error) reject(error);
			else resolve();
		};
		const request = http.get(
			`${url}/messages/stream?cursor=${spec.cursor}`,
			{ agent, headers: { accept: 'text/event-stream', cookie: `bazaar-session=${spec.cookie}` } },
			(response) => {
				if (response.statusCode !== 200) {
					response.resume();
					settle(new Error(`HTTP ${response.statusCode}`));
					return;
				}
				response.setEncoding('utf8');
				response.on('data', (chunk: string) => {
					const now = monotonicMs();
					buffer += chunk;
					let end: number;
					while ((end = buffer.indexOf('\n\n')) !== -1) {
						const frame = buffer.slice(0, end);
						buffer = buffer.slice(end + 2);
						let type = '';
						let data = '';
						for (const line of frame.split('\n')) {
							if (line.startsWith('event: ')) type = line.slice(7);
							else if (line.startsWith('data: ')) data = line.slice(6);
						}
						if (type === 'message.created') {
							const event = JSON.parse(data) as { payload: { message: { id: string } } };
							deliveries.push(spec.key, event.payload.message.id, now);
						} else if (type === 'live') {
							stream.live = true;
							settle();
						} else if (type === 'resync') resyncs++;
						else if (type === 'error') errors++;
					}
				});
				response.on('end', () => {
					ended++;
					settle(new Error('stream ended before live'));
				});
				response.on('error', () => {});
			}
		);
		const stream: Stream = { request, live: false };
		streams.set(spec.key, stream);
		request.on('error', (error) => settle(error));
		const timer = setTimeout(() => settle(new Error(`not live within ${timeoutMs} ms`)), timeoutMs);
	});
}

async function openAll(url: string, specs: StreamSpec[], concurrency: number, timeoutMs: number): Promise<WorkerReply> {
	const started = monotonicMs();
	const failed: string[] = [];
	let next = 0;
	await Promise.all(
		Array.from({ length: Math.min(concurrency, specs.length) }, async () => {
			while (next < specs.length) {
				const spec = specs[next++];
				await open(url, spec, timeoutMs).catch((error: Error) => failed.push(`stream ${spec.key}: ${error.message}`));
			}
		})
	);
	const live = specs.filter((spec) => streams.get(spec.key)?.live).length;
	return { type: 'opened', live, failed: failed.slice(0, 20), ms: monotonicMs() - started };
}

const reply = (message: WorkerReply) => process.send!(message);

process.on('message', (command: WorkerCommand) => {
	switch (command.cmd) {
		case 'open':
			void openAll(command.url, command.streams, command.concurrency, command.timeoutMs).then(reply);
			break;
		case 'close':
			for (const key of command.keys) {
				streams.get(key)?.request.destroy();
				streams.delete(key);
			}
			reply({ type: 'closed' });
			break;
		case 'collect': {
			const usage = process.cpuUsage();
			reply({
				type: 'collected',
				deliveries,
				resyncs,
				errors,
				ended,
				cpuMs: (usage.user + usage.system) / 1000,
				rssKiB: Math.round(process.memoryUsage.rss() / 1024)
			});
			deliveries = [];
			break;
		}
		case 'exit':
			for (const stream of streams.values()) stream.request.destroy();
			process.exit(0);
	}
});
process.on('disconnect', () => process.exit(0));
