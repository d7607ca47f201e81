import type pg from 'pg';
import { RealtimeHub } from './hub';
import { listenForEvents, type Listener } from './listener';
import { relayPresence } from './presence';

/** How live events reach browsers: the server's own relay (plain PostgreSQL), or Supabase Realtime. */
export type MessagingRealtime =
	| { transport: 'sse'; hub: RealtimeHub; pool: pg.Pool }
	| { transport: 'supabase'; supabase: { url: string; anonKey: string } };

export interface PostgresRealtime {
	transport: 'sse';
	hub: RealtimeHub;
	pool: pg.Pool;
	listener: Listener;
	/** Ends the LISTEN connection (before the database goes away on purpose). */
	stop(): Promise<void>;
}

/**
 * Plain-PostgreSQL mode: the one LISTEN connection of this process feeding a hub that every
 * SSE stream of this process subscribes to, and presence relayed to conversation partners.
 * Start it once per process and put it on `locals.messagingRealtime`.
 */
export function startPostgresRealtime(options: { connectionString: string; pool: pg.Pool; log?: (line: string) => void }): PostgresRealtime {
	const hub = new RealtimeHub();
	if (process.env.RT_DEBUG_TRACE) { // TEMP
		const g = globalThis as unknown as { rtTrace: string[] };
		g.rtTrace = [];
		void import('node:fs').then(({ appendFileSync }) => {
			setInterval(() => { if (g.rtTrace.length) appendFileSync(`/work/main/.scratch/rt-trace-${process.pid}.txt`, g.rtTrace.splice(0).join('\n') + '\n'); }, 1000).unref();
		});
	}
	if (process.env.RT_DEBUG_LOOP) { // TEMP
		void import('node:perf_hooks').then(({ monitorEventLoopDelay, PerformanceObserver }) => {
			const h = monitorEventLoopDelay({ resolution: 5 });
			h.enable();
			const gcs: string[] = [];
			new PerformanceObserver((list) => { for (const e of list.getEntries()) if (e.duration > 5) gcs.push(`${(e as unknown as { detail: { kind: number } }).detail?.kind}:${e.duration.toFixed(0)}@${(e.startTime / 1000).toFixed(1)}`); }).observe({ entryTypes: ['gc'] });
			setInterval(() => {
				console.log(`[rtloop] t=${(performance.now() / 1000).toFixed(0)} p50=${(h.percentile(50) / 1e6).toFixed(1)} p99=${(h.percentile(99) / 1e6).toFixed(1)} max=${(h.max / 1e6).toFixed(1)} gc>5ms: ${gcs.splice(0).join(' ')}`);
				h.reset();
			}, 2000).unref();
		});
	}
	if (process.env.RT_DEBUG_MEMORY) { // TEMP
		process.on('SIGUSR2', async () => {
			const v8 = await import('node:v8');
			const g = (globalThis as { gc?: () => void }).gc;
			const show = (what: string) => {
				const m = process.memoryUsage();
				const spaces = v8.getHeapSpaceStatistics().map((s) => `${s.space_name.replace('_space', '')}=${(s.space_size / 1048576).toFixed(1)}/${(s.space_used_size / 1048576).toFixed(1)}`).join(' ');
				console.log(`[rtmem] ${what} rss=${(m.rss / 1048576).toFixed(1)} heapTotal=${(m.heapTotal / 1048576).toFixed(1)} heapUsed=${(m.heapUsed / 1048576).toFixed(1)} external=${(m.external / 1048576).toFixed(1)} arrayBuffers=${(m.arrayBuffers / 1048576).toFixed(1)} ${spaces}`);
			};
			show('now');
			if (g) { g(); show('after gc'); }
		});
	}
	const listener = listenForEvents({ connectionString: options.connectionString, hub, pool: options.pool, log: options.log });
	const stopPresence = relayPresence(hub, options.pool);
	return {
		transport: 'sse',
		hub,
		pool: options.pool,
		listener,
		async stop() {
			stopPresence();
			await listener.stop();
		}
	};
}
