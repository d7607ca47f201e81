import type { RealtimeConfig } from '../client.svelte';
import { sseTransport } from './sse-transport';
import type { RealtimeTransport } from './transport';

/** The transport for this deployment; supabase-js is loaded only in Supabase mode. */
export async function transportFor(config: RealtimeConfig, userId: string): Promise<RealtimeTransport> {
	if (config.transport === 'sse' || !config.supabase) return sseTransport();
	const [{ createBrowserClient }, { supabaseTransport }] = await Promise.all([import('@supabase/ssr'), import('./supabase-transport')]);
	// worker: heartbeats from a Web Worker keep the socket alive in background tabs.
	const supabase = createBrowserClient(config.supabase.url, config.supabase.anonKey, { realtime: { worker: true } });
	return supabaseTransport({ supabase, userId });
}
