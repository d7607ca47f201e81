import { render } from 'svelte/server';
import type { Component } from 'svelte';
import { describe, expect, it, vi } from 'vitest';
import ConversationPreview from '../../src/lib/messaging/components/ConversationPreview.svelte';
import ThreadHeader from '../../src/lib/messaging/components/ThreadHeader.svelte';
import { MessagingClient } from '../../src/lib/messaging/state/messaging-client.svelte.ts';
import { ME, at, openedConversation, preview, readState } from '../support/rows.ts';
import WithMessaging from './fixtures/WithMessaging.svelte';

vi.mock('$app/state', () => ({ page: { url: new URL('http://127.0.0.1/messages') } }));

/**
 * An archived conversation says so wherever it shows outside the Archived filter: in a listing's
 * conversations (which include archived ones) and in its own thread's header.
 */

function html<P extends Record<string, unknown>>(client: MessagingClient, component: Component<P>, props: P): string {
	return render(WithMessaging, { props: { client, component: component as Component<Record<string, unknown>>, props } }).body;
}
const text = (markup: string) => markup.replace(/<!--[\s\S]*?-->/g, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();

describe('the Archived mark', () => {
	const now = new Date(at(30));

	it('shows on an archived conversation among a listing’s conversations, as Muted does on a muted one', () => {
		const client = new MessagingClient();
		const archived = text(html(client, ConversationPreview, { preview: preview({ archived: true }), now, filter: 'listing', productId: 'p' }));
		expect(archived).toMatch(/\bArchived\b/);
		const kept = text(html(client, ConversationPreview, { preview: preview({ archived: false }), now, filter: 'listing', productId: 'p' }));
		expect(kept).not.toMatch(/\bArchived\b/);
	});

	it('is left out under the Archived filter, where every conversation is archived', () => {
		const client = new MessagingClient();
		expect(text(html(client, ConversationPreview, { preview: preview({ archived: true }), now, filter: 'archived' }))).not.toMatch(/\bArchived\b/);
	});

	it('shows in the thread header of an archived conversation', () => {
		const client = new MessagingClient();
		const open = (archived: boolean) =>
			client.showPage({
				session: { me: ME, cursor: 0, unreadTotal: 0, transport: 'sse' },
				filter: 'all',
				inbox: { previews: [], next: null },
				opened: openedConversation({ read_state: readState({ archived }) })
			})!;
		expect(text(html(client, ThreadHeader, { thread: open(true), now, onError: () => {} }))).toMatch(/\bArchived ·/);
		expect(text(html(client, ThreadHeader, { thread: open(false), now, onError: () => {} }))).not.toMatch(/\bArchived\b/);
	});
});
