import { render } from 'svelte/server';
import type { Component } from 'svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import ConversationMenu from '../../src/lib/messaging/components/ConversationMenu.svelte';
import ConversationPreview from '../../src/lib/messaging/components/ConversationPreview.svelte';
import MakeOffer from '../../src/lib/messaging/components/MakeOffer.svelte';
import OfferCard from '../../src/lib/messaging/components/OfferCard.svelte';
import SystemMessage from '../../src/lib/messaging/components/SystemMessage.svelte';
import ThreadHeader from '../../src/lib/messaging/components/ThreadHeader.svelte';
import type { Message, Offer, ProductSummary } from '../../src/lib/messaging/schemas/index.ts';
import { MessagingClient } from '../../src/lib/messaging/state/messaging-client.svelte.ts';
import type { ThreadState } from '../../src/lib/messaging/state/thread.svelte.ts';
import { ALICE, ME, at, message, messageId, openedConversation, preview, product } from '../support/rows.ts';
import WithMessaging from './fixtures/WithMessaging.svelte';

/**
 * The deal as the thread draws it, rendered on the server as a first visit gets it: the names
 * people and tests find the controls by, and who gets which control.
 */

const url = vi.hoisted(() => ({ current: new URL('http://127.0.0.1/messages') }));
vi.mock('$app/state', () => ({ page: { get url() { return url.current; } } }));

beforeEach(() => {
	url.current = new URL('http://127.0.0.1/messages');
});

const OFFER_ID = 'e0000000-0000-4000-8000-000000000001';

/** A thread of mine with Alice about her chair; `seller: true` makes it my chair and Alice the buyer. */
function threadWith(options: { messages?: Message[]; seller?: boolean; status?: ProductSummary['status'] } = {}): { client: MessagingClient; thread: ThreadState } {
	const client = new MessagingClient();
	const listing = { ...product, seller_id: options.seller ? ME : ALICE, status: options.status ?? 'active' };
	const thread = client.showPage({
		session: { me: ME, cursor: 0, unreadTotal: 0, transport: 'sse' },
		filter: 'all',
		inbox: { previews: [], next: null },
		opened: openedConversation({ messages: options.messages ?? [], product: listing })
	})!;
	return { client, thread };
}

function html<P extends Record<string, unknown>>(client: MessagingClient, component: Component<P>, props: P): string {
	return render(WithMessaging, { props: { client, component: component as Component<Record<string, unknown>>, props } }).body;
}

/** Buttons by accessible name (aria-label, else their text). */
function buttons(markup: string): string[] {
	return [...markup.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/g)].map(([, attributes, text]) => {
		const label = /aria-label="([^"]*)"/.exec(attributes)?.[1];
		return label ?? text.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim();
	});
}

/** Labels' text, markup and comments taken out. */
const labels = (markup: string) => [...markup.matchAll(/<label\b[^>]*>([\s\S]*?)<\/label>/g)].map(([, text]) => text.replace(/<[^>]+>|<!--[\s\S]*?-->/g, '').trim());
const text = (markup: string) => markup.replace(/<!--[\s\S]*?-->/g, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();

function card(from: 'me' | 'alice', offer: Partial<Offer> = {}, seller = false): Message {
	const buyer = seller ? ALICE : ME;
	return message({
		id: messageId(from === 'me' ? 10 : 11),
		kind: 'offer',
		sender_id: from === 'me' ? ME : ALICE,
		sender_display_name: from === 'me' ? 'Me' : 'Alice',
		body: 'Someone offered €120.00',
		created_at: at(from === 'me' ? 10 : 11),
		payload: { offer_id: OFFER_ID, amount_cents: 12000, currency: 'EUR' },
		offer: { id: OFFER_ID, amount_cents: 12000, currency: 'EUR', status: 'open', awaiting: 'seller', buyer_id: buyer, seller_id: seller ? ME : ALICE, current: true, ...offer }
	});
}

describe('OfferCard', () => {
	it("the seller's buttons on a buyer's open offer, in an article named by who offered what", () => {
		const offer = card('alice', {}, true);
		const { client, thread } = threadWith({ messages: [offer], seller: true });
		const markup = html(client, OfferCard, { message: thread.messages[0], thread, mine: false, superseded: false });
		expect(markup).toMatch(/<article[^>]*aria-labelledby="([^"]+)"[\s\S]*id="\1"[^>]*>[\s\S]*Alice offered[\s\S]*€120\.00/);
		expect(text(markup)).toContain('Waiting for you');
		expect(buttons(markup)).toEqual(['Accept offer', 'Decline offer', 'Counter offer']);
	});

	it("the buyer's own open offer can be withdrawn while the seller has not answered", () => {
		const { client, thread } = threadWith({ messages: [card('me')] });
		const markup = html(client, OfferCard, { message: thread.messages[0], thread, mine: true, superseded: false });
		expect(text(markup)).toContain('You offered €120.00 Waiting for Alice');
		expect(buttons(markup)).toEqual(['Withdraw offer']);
	});

	it('a counter waiting for the buyer offers accept and decline; a countered card none', () => {
		const counter = card('alice', { awaiting: 'buyer' });
		const { client, thread } = threadWith({ messages: [counter] });
		const markup = html(client, OfferCard, { message: thread.messages[0], thread, mine: false, superseded: false });
		expect(text(markup)).toContain('Alice countered €120.00 Waiting for you');
		expect(buttons(markup)).toEqual(['Accept offer', 'Decline offer']);

		const old = html(client, OfferCard, { message: thread.messages[0], thread, mine: false, superseded: true });
		expect(text(old)).toContain('Countered');
		expect(buttons(old)).toEqual([]);
	});
});

describe('SystemMessage', () => {
	it('reads for the viewer, with no bubble actions', () => {
		const notice = message({
			id: messageId(20),
			kind: 'system',
			sender_id: ALICE,
			body: "Alice accepted Me's offer of €120.00",
			payload: { event: 'offer.accepted', actor_id: ALICE, buyer_id: ME, amount_cents: 12000, currency: 'EUR' }
		});
		const { client, thread } = threadWith({ messages: [notice] });
		const markup = html(client, SystemMessage, { message: thread.messages[0], thread });
		expect(text(markup)).toBe('Alice accepted your offer of €120.00 10:00');
		expect(buttons(markup)).toEqual([]);
	});
});

describe('MakeOffer', () => {
	it('a buyer gets the "Make an offer" button; ?offer=1 opens the form with the amount in the currency', () => {
		const { client, thread } = threadWith();
		expect(buttons(html(client, MakeOffer, { thread }))).toEqual(['Make an offer']);

		url.current = new URL('http://127.0.0.1/messages?conversation=x&offer=1');
		const open = html(client, MakeOffer, { thread });
		expect(labels(open)).toEqual(['Your offer (€)']);
		expect(buttons(open)).toEqual(['Send offer', 'Cancel']);
		expect(open).toContain('name="currency" value="EUR"');
	});

	it('nothing for the seller, on a reserved or sold listing, or while an offer of theirs is open; followed to make one, it says why not', () => {
		const cases: [Parameters<typeof threadWith>[0], string][] = [
			[{ seller: true }, ''],
			[{ status: 'reserved' }, 'This listing is reserved: it takes no offers for now.'],
			[{ status: 'sold' }, 'This listing is sold.'],
			[{ messages: [card('me')] }, 'Your offer is open here: withdraw it to make another.']
		];
		for (const [setup, why] of cases) {
			url.current = new URL('http://127.0.0.1/messages');
			const quiet = threadWith(setup);
			expect(text(html(quiet.client, MakeOffer, { thread: quiet.thread }))).toBe('');
			url.current = new URL('http://127.0.0.1/messages?offer=1');
			const followed = threadWith(setup);
			expect(text(html(followed.client, MakeOffer, { thread: followed.thread }))).toBe(why);
		}
	});
});

describe('listing status', () => {
	it('the header shows Reserved or Sold; the seller’s menu marks sold to this buyer or makes it available', () => {
		const reserved = threadWith({ seller: true, status: 'reserved' });
		const header = html(reserved.client, ThreadHeader, { thread: reserved.thread, now: new Date(), onError: () => {} });
		expect(header).toMatch(/<span class="listing-badge[^"]*" data-status="reserved">Reserved<\/span>/);
		expect(buttons(header)).toEqual(expect.arrayContaining(['Mark as sold to Alice', 'Make available again']));

		const active = threadWith({ seller: true });
		const menu = html(active.client, ConversationMenu, { thread: active.thread, now: new Date(), onError: () => {} });
		expect(buttons(menu)).toContain('Mark as sold to Alice');
		expect(buttons(menu)).not.toContain('Make available again');

		const sold = threadWith({ seller: true, status: 'sold' });
		const soldMenu = html(sold.client, ConversationMenu, { thread: sold.thread, now: new Date(), onError: () => {} });
		expect(buttons(soldMenu)).toContain('Make available again');
		expect(buttons(soldMenu)).not.toContain('Mark as sold to Alice');
	});

	it('a buyer has no listing items in the menu', () => {
		const { client, thread } = threadWith({ status: 'reserved' });
		const menu = html(client, ConversationMenu, { thread, now: new Date(), onError: () => {} });
		expect(buttons(menu).filter((name) => /sold|available/i.test(name))).toEqual([]);
	});

	it('inbox previews carry the badge next to the product title', () => {
		const { client } = threadWith();
		const markup = html(client, ConversationPreview, { preview: preview({ product_status: 'sold' }), now: new Date(at(30)) });
		expect(text(markup)).toMatch(/Oak chair · €45\.00 Sold/);
		expect(text(html(client, ConversationPreview, { preview: preview({ product_status: 'active' }), now: new Date(at(30)) }))).not.toMatch(/Reserved|Sold/);
	});
});
