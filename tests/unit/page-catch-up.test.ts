import { describe, expect, it } from 'vitest';
import type { InboxFilter, OpenedConversation, PreviewPage } from '../../src/lib/messaging/schemas/index.ts';
import { MessagingClient } from '../../src/lib/messaging/state/messaging-client.svelte.ts';
import { RecentEvents } from '../../src/lib/messaging/state/recent-events.ts';
import {
	ALICE,
	BOB,
	KEY,
	ME,
	at,
	blockEvent,
	conversationId,
	conversationUpdatedEvent,
	message,
	messageEvent,
	messageId,
	openedConversation,
	preview,
	product,
	readEvent,
	readState
} from '../support/rows.ts';

/**
 * A page is read at a cursor of the member's event log and arrives after the events that came
 * meanwhile, which the tab applied to what it had then. Shown, the page must end as those events
 * left the tab: a row they changed or removed, a conversation they brought, a thread not kept yet.
 */

function show(client: MessagingClient, cursor: number, page: { filter?: InboxFilter; inbox?: PreviewPage; opened?: OpenedConversation | null }) {
	return client.showPage({
		session: { me: ME, cursor, unreadTotal: 0, transport: 'sse' },
		filter: page.filter ?? 'all',
		inbox: page.inbox ?? { previews: [], next: null },
		opened: page.opened ?? null
	});
}

const alicesRow = preview({ conversation_id: conversationId(1), other_user_id: ALICE, unread_count: 2, last_message_at: at(10) });
const fromBob = message({ id: messageId(50), conversation_id: conversationId(2), sender_id: BOB, created_at: at(20) });
const bobsFirst = (id: number) => messageEvent(fromBob, { id, preview: { other_user_id: BOB, product_id: null, product_title: null, unread_count: 1 } });
const rows = (client: MessagingClient) => client.inbox.previews.map((p) => [p.conversation_id, p.unread_count]);

describe('a page shown after events past its cursor', () => {
	it('keeps the inbox rows they changed and the conversations they brought; a page read after them is taken as it is', () => {
		const client = new MessagingClient();
		show(client, 9, { inbox: { previews: [alicesRow], next: null } });
		// While the next page is on its way: Bob writes for the first time (event 11), and Alice's
		// conversation is read on another device (event 12).
		client.applyEvent(bobsFirst(11));
		client.applyEvent(readEvent(readState({ conversation_id: conversationId(1), unread_count: 0 }), { id: 12 }));
		expect(rows(client)).toEqual([[conversationId(2), 1], [conversationId(1), 0]]);

		show(client, 10, { inbox: { previews: [alicesRow], next: null } });
		expect(rows(client)).toEqual([[conversationId(2), 1], [conversationId(1), 0]]);

		// Read after both (Bob's conversation archived meanwhile, say): the page is the truth.
		show(client, 12, { inbox: { previews: [{ ...alicesRow, unread_count: 0 }], next: null } });
		expect(rows(client)).toEqual([[conversationId(1), 0]]);
	});

	it('keeps out of All a conversation archived on another device, which the page still lists', () => {
		const client = new MessagingClient();
		show(client, 9, { inbox: { previews: [alicesRow], next: null } });
		client.applyEvent(conversationUpdatedEvent(readState({ conversation_id: conversationId(1), unread_count: 2, archived: true }), null, { id: 12 }));
		expect(rows(client)).toEqual([]);
		show(client, 10, { inbox: { previews: [alicesRow], next: null } });
		expect(rows(client)).toEqual([]);
	});

	it('lists under All a conversation begun while Archived was shown, which the All page predates', () => {
		const client = new MessagingClient();
		show(client, 9, { filter: 'archived' });
		client.applyEvent(bobsFirst(11));
		expect(rows(client)).toEqual([]);
		show(client, 10, { filter: 'all', inbox: { previews: [alicesRow], next: null } });
		expect(rows(client)).toEqual([[conversationId(2), 1], [conversationId(1), 2]]);
	});

	it('a thread opened for the first time has the message and the "Seen" that came while its page was on its way', () => {
		const client = new MessagingClient();
		show(client, 9, {});
		const written = message({ id: messageId(2), created_at: at(40), body: 'Sent while the page loaded' });
		client.applyEvent(messageEvent(written, { id: 11 }));
		const seen = readState({ other_last_read_at: at(41), other_last_read_message_id: messageId(1) });
		client.applyEvent(readEvent(seen, { id: 12 }));
		const thread = show(client, 10, { opened: openedConversation({ messages: [message({ id: messageId(1), sender_id: ME, created_at: at(30) })] }) })!;
		expect(thread.messages.map((m) => m.id)).toEqual([messageId(1), messageId(2)]);
		expect(thread.readState?.other_last_read_message_id).toBe(messageId(1));
		expect(client.threads.get(KEY)).toBe(thread);
	});

	it("a kept thread's page read before a read or block event keeps what the event set; one read after them is taken as it is", () => {
		const client = new MessagingClient();
		show(client, 9, { opened: openedConversation() });
		const seen = readState({ other_last_read_at: at(30), other_last_read_message_id: messageId(1) });
		client.applyEvent(readEvent(seen, { id: 11 }));
		client.applyEvent(blockEvent({ other_user_id: ALICE, by_me: false, blocked: true }, { id: 12 }));
		const thread = show(client, 10, { opened: openedConversation() })!;
		expect(thread.readState?.other_last_read_at).toBe(at(30));
		expect(thread.blockedMe).toBe(true);
		// A page read after them (unblocked meanwhile) is taken as it is.
		show(client, 12, { opened: openedConversation({ read_state: seen, blocked_me: false }) });
		expect(thread.blockedMe).toBe(false);
	});

	it('a listing the page shows reserved keeps whom for, through events that took it from active to reserved', () => {
		const client = new MessagingClient();
		show(client, 9, {});
		const update = (id: number, status: 'active' | 'reserved') =>
			messageEvent(message({ id: messageId(id), created_at: at(id), sender_id: ALICE }), { id, preview: { product_status: status } });
		client.applyEvent(update(11, 'active'));
		client.applyEvent(update(12, 'reserved'));
		const mine = { ...product, seller_id: ME, status: 'reserved' as const, reserved_for: { id: BOB, display_name: 'Bob' } };
		const thread = show(client, 10, { opened: openedConversation({ product: mine }) })!;
		expect(thread.product).toMatchObject({ status: 'reserved', reserved_for: { id: BOB } });
		// Where the events end elsewhere than the page (available again since), theirs is the newer word.
		client.applyEvent(update(13, 'active'));
		expect(show(client, 10, { opened: openedConversation({ product: mine }) })!.product).toMatchObject({ status: 'active', reserved_for: null });
	});

	it("forgets another member's events: a page for the next member on the tab replays none of them", () => {
		const client = new MessagingClient();
		show(client, 9, {});
		client.applyEvent(bobsFirst(11));
		client.showPage({ session: { me: BOB, cursor: 3, unreadTotal: 0, transport: 'sse' }, filter: 'all', inbox: { previews: [], next: null }, opened: null });
		expect(rows(client)).toEqual([]);
	});
});

describe('RecentEvents', () => {
	it('gives the events after a cursor, and says so (null) once some of them were trimmed away', () => {
		const recent = new RecentEvents(3);
		const ids = (events: { id: number }[] | null) => events?.map((event) => event.id) ?? null;
		for (let id = 1; id <= 5; id++) recent.add(readEvent(readState(), { id }));
		expect(ids(recent.after(0))).toEqual([1, 2, 3, 4, 5]);
		recent.add(readEvent(readState(), { id: 6 }));
		expect(ids(recent.after(2))).toBeNull();
		expect(ids(recent.after(3))).toEqual([4, 5, 6]);
		expect(ids(recent.after(5))).toEqual([6]);
		recent.clear();
		expect(ids(recent.after(0))).toEqual([]);
	});
});

describe('the next page of the inbox, after events that came while it was on its way', () => {
	// Page 1 of "All" shows Alice's conversation; Bob's, with 3 unread, is on page 2.
	const bobsRow = (changes = {}) => preview({ conversation_id: conversationId(2), other_user_id: BOB, last_message_at: at(5), unread_count: 3, ...changes });
	function scrolled() {
		const client = new MessagingClient();
		show(client, 9, { inbox: { previews: [alicesRow], next: { at: alicesRow.last_message_at, id: alicesRow.conversation_id } } });
		client.applyEvent(readEvent(readState({ conversation_id: conversationId(1), unread_count: 2 }), { id: 10 }));
		return { client, askedAt: client.lastEventId };
	}

	it('takes a read of a conversation it lists from another device, as the events left the tab', () => {
		const { client, askedAt } = scrolled();
		// Read on another device (event 11) before the page, read earlier, arrives: no row to change then.
		client.applyEvent(readEvent(readState({ conversation_id: conversationId(2), unread_count: 0 }), { id: 11, unreadTotal: 2 }));
		client.inbox.append({ previews: [bobsRow()], next: null });
		client.reapplySince(askedAt);
		expect(rows(client)).toEqual([[conversationId(1), 2], [conversationId(2), 0]]);
	});

	it('leaves out a conversation archived meanwhile', () => {
		const { client, askedAt } = scrolled();
		const archived = readState({ conversation_id: conversationId(2), unread_count: 3, archived: true });
		client.applyEvent(conversationUpdatedEvent(archived, { ...bobsRow({ archived: true }) }, { id: 11 }));
		client.inbox.append({ previews: [bobsRow()], next: null });
		client.reapplySince(askedAt);
		expect(rows(client)).toEqual([[conversationId(1), 2]]);
	});
});
