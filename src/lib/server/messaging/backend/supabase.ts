import type { SupabaseClient } from '@supabase/supabase-js';
import { messagingErrorFrom } from '$lib/messaging/errors';
import { rpcMessagingBackend, type MessagingBackend, type RpcCall } from './messaging-backend';

/** Calls the same RPCs through PostgREST (`POST /rest/v1/rpc/<name>`) with the user's session. */
export function supabaseRpc(supabase: SupabaseClient): RpcCall {
	return async (name, args) => {
		const { data, error } = await supabase.rpc(name, args);
		if (error) throw messagingErrorFrom(error) ?? new Error(`${name}: ${error.message} (${error.code})`);
		return data;
	};
}

/** The contract over Supabase: the same RPCs through PostgREST, with the request's session. */
export function supabaseMessaging(options: { supabase: SupabaseClient }): MessagingBackend {
	return rpcMessagingBackend(supabaseRpc(options.supabase));
}
