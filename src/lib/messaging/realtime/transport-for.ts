import type { Database } from '../../database.types';
import type { MessagingApi } from '../api';
import type { RealtimeSession } from '../schemas';
import { sseTransport } from './sse-transport';
import type { RealtimeTransport } from './transport';

/** The transport for this deployment; supabase-js is loaded only in Supabase mode. */
export async function transportFor(options: { session: RealtimeSession; api: MessagingApi }): Promise<RealtimeTransport> {
	const { session, api } = options;
	if (session.transport === 'sse' || !session.supabase) return sseTransport({ api });
	const [{ createBrowserClient }, { supabaseTransport }] = await Promise.all([import('@supabase/ssr'), import('./supabase-transport')]);
	// worker: heartbeats from a Web Worker keep the socket alive in background tabs.
	const supabase = createBrowserClient<Database>(session.supabase.url, session.supabase.anonKey, { realtime: { worker: true } });
	return supabaseTransport({ supabase, userId: session.me });
}
