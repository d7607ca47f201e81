import { describe, expect, it } from 'vitest';
import { previewText } from '../../src/lib/messaging/preview-text.ts';
import { ALICE, ME, previewRow } from '../support/rows.ts';

/**
 * An inbox preview reads as the thread reads the same message, for the member looking at it.
 * Alice sells the listing (previewRow's product); Me is the buyer reading the inbox, and Alice
 * is read as "Alice" there. Seen by Alice, the buyer is the other member: `asAlice` swaps them.
 */

const OFFER = 'e0000000-0000-4000-8000-000000000001';
const card = (amount_cents: number) => ({ offer_id: OFFER, amount_cents, currency: 'EUR' });
const asAlice = { other_user_id: ME, other_display_name: 'Me' };

describe('previewText', () => {
	it("text: the reader's own message starts with You:, the other member's does not", () => {
		expect(previewText(previewRow({ last_message_sender_id: ME, last_message_preview: 'Still there?' }), ME)).toBe('You: Still there?');
		expect(previewText(previewRow({ last_message_sender_id: ALICE, last_message_preview: 'Yes' }), ME)).toBe('Yes');
	});

	it("an offer card: the buyer's own reads 'You offered', the seller reads the buyer's name", () => {
		const row = { last_message_kind: 'offer' as const, last_message_sender_id: ME, last_message_preview: 'Me offered €140.00', last_message_payload: card(14000) };
		expect(previewText(previewRow(row), ME)).toBe('You offered €140.00');
		expect(previewText(previewRow({ ...row, ...asAlice }), ALICE)).toBe('Me offered €140.00');
	});

	it("the seller's card is a counter, for both of them", () => {
		const row = { last_message_kind: 'offer' as const, last_message_sender_id: ALICE, last_message_preview: 'Alice offered €130.00', last_message_payload: card(13000) };
		expect(previewText(previewRow(row), ME)).toBe('Alice countered with €130.00');
		expect(previewText(previewRow({ ...row, ...asAlice }), ALICE)).toBe('You countered with €130.00');
	});

	it("an update about the listing names the reader 'you'", () => {
		const row = {
			last_message_kind: 'system' as const,
			last_message_sender_id: ALICE,
			last_message_preview: "Alice accepted Me's offer of €130.00",
			last_message_payload: { event: 'offer.accepted', actor_id: ALICE, buyer_id: ME, amount_cents: 13000, currency: 'EUR' }
		};
		expect(previewText(previewRow(row), ME)).toBe('Alice accepted your offer of €130.00');
		expect(previewText(previewRow({ ...row, ...asAlice }), ALICE)).toBe("You accepted Me's offer of €130.00");
	});

	it('falls back to the stored sentence when the payload says too little, and says when there is nothing', () => {
		expect(previewText(previewRow({ last_message_kind: 'offer', last_message_preview: 'Alice offered €1.00', last_message_payload: { offer_id: OFFER } }), ME)).toBe('Alice offered €1.00');
		expect(previewText(previewRow({ last_message_kind: 'system', last_message_preview: 'Sold', last_message_payload: null }), ME)).toBe('Sold');
		expect(previewText(previewRow({ last_message_deleted: true, last_message_preview: '' }), ME)).toBe('Message deleted');
		expect(previewText(previewRow({ last_message_kind: null, last_message_id: null, last_message_preview: '' }), ME)).toBe('No messages yet');
	});
});
