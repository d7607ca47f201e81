import { z } from 'zod';
import { ConversationPreview, SearchHit, type Cursor, type SearchPage } from '$lib/messaging/schemas/index.js';
import { clampLimit, pageOf } from './paging.js';
import type { RpcCall } from './rpc-call.js';

// Made once: a zod schema costs microseconds to build, and these parse on every search.
const SearchHits = z.array(SearchHit);
const ConversationMatches = z.array(ConversationPreview);

/** The inbox search: message text, and the conversations a query names. */
export interface SearchMethods {
	searchMessages(options: { query: string; before?: Cursor | null; limit?: number }): Promise<SearchPage>;
	/**
	 * The caller's conversations (archived ones too) whose other member's name or username, or
	 * listing title, starts a word with every word of the query; newest activity first, up to
	 * `limit` (5 unless asked, at most 20). The same refusals as searchMessages.
	 */
	searchConversations(options: { query: string; limit?: number }): Promise<ConversationPreview[]>;
}

export function searchMethods(call: RpcCall): SearchMethods {
	return {
		async searchMessages({ query, before = null, limit }) {
			const size = clampLimit(limit, 20, 99);
			const rows = SearchHits.parse(
				await call(
					'search_messages',
					{ p_query: query, p_before_at: before?.at ?? null, p_before_id: before?.id ?? null, p_limit: size + 1 },
					'rows'
				)
			);
			const { items, next } = pageOf(rows, size, (hit) => ({ at: hit.created_at, id: hit.message_id }));
			return { hits: items, next };
		},

		async searchConversations({ query, limit }) {
			return ConversationMatches.parse(await call('search_conversations', { p_query: query, p_limit: clampLimit(limit, 5, 20) }, 'rows'));
		}
	};
}
