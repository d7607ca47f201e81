import { describe, expect, it } from 'vitest';
import { listingStatusLabel } from '../../src/lib/messaging/offers/listing-status.ts';
import { systemText } from '../../src/lib/messaging/offers/system-text.ts';
import type { SystemEvent } from '../../src/lib/messaging/schemas/index.ts';
import { userId } from '../support/rows.ts';

/**
 * System messages read for the member looking at them: a sentence naming the reader says "you";
 * anything else, or anything not understood, is the stored neutral sentence.
 */

const ANA = { id: userId(1), display_name: 'Ana' }; // the buyer
const LEE = { id: userId(2), display_name: 'Lee' }; // the seller
const asAna = { me: ANA.id, other: LEE };
const asLee = { me: LEE.id, other: ANA };
const money = { amount_cents: 12000, currency: 'EUR' };

const system = (payload: SystemEvent | Record<string, unknown> | null, body = 'The stored sentence') => ({ body, payload });

describe('systemText: per viewer', () => {
	it.each<[string, SystemEvent, string, string]>([
		['offer accepted by the seller', { event: 'offer.accepted', actor_id: LEE.id, buyer_id: ANA.id, ...money }, 'Lee accepted your offer of €120.00', "You accepted Ana's offer of €120.00"],
		// The buyer answers only the seller's counter: it was never "your offer" to the seller.
		[
			'counter accepted by the buyer',
			{ event: 'offer.accepted', actor_id: ANA.id, buyer_id: ANA.id, ...money },
			"You accepted Lee's counter-offer of €120.00",
			'Ana accepted your counter-offer of €120.00'
		],
		['offer declined', { event: 'offer.declined', actor_id: LEE.id, buyer_id: ANA.id, ...money }, 'Lee declined your offer of €120.00', "You declined Ana's offer of €120.00"],
		[
			'counter declined by the buyer',
			{ event: 'offer.declined', actor_id: ANA.id, buyer_id: ANA.id, ...money },
			"You declined Lee's counter-offer of €120.00",
			'Ana declined your counter-offer of €120.00'
		],
		['offer withdrawn', { event: 'offer.withdrawn', actor_id: ANA.id, buyer_id: ANA.id, ...money }, 'You withdrew your offer of €120.00', 'Ana withdrew their offer of €120.00'],
		// Only a block withdraws a seller's counter.
		[
			'counter withdrawn by the seller',
			{ event: 'offer.withdrawn', actor_id: LEE.id, buyer_id: ANA.id, ...money },
			'Lee withdrew their counter-offer of €120.00',
			'You withdrew your counter-offer of €120.00'
		],
		['countered', { event: 'offer.countered', actor_id: LEE.id, buyer_id: ANA.id, ...money }, 'Lee countered with €120.00', 'You countered with €120.00'],
		[
			'declined because another buyer got it',
			{ event: 'offer.auto_declined', actor_id: LEE.id, buyer_id: ANA.id, ...money },
			'Your offer of €120.00 was declined: the listing went to another buyer',
			"Ana's offer of €120.00 was declined: the listing went to another buyer"
		],
		[
			'the seller’s counter withdrawn because another buyer got it',
			{ event: 'offer.auto_declined', actor_id: LEE.id, buyer_id: ANA.id, countered: true, ...money },
			"Lee's counter-offer of €120.00 was withdrawn: the listing went to another buyer",
			'Your counter-offer of €120.00 was withdrawn: the listing went to another buyer'
		],
		['sold to this buyer', { event: 'listing.sold', actor_id: LEE.id, buyer_id: ANA.id }, 'Lee marked this as sold to you', 'You marked this as sold to Ana'],
		// Reserved for her by an accepted offer, the sale says the price it agreed, not the listed one.
		[
			'sold to this buyer at the price agreed',
			{ event: 'listing.sold', actor_id: LEE.id, buyer_id: ANA.id, ...money },
			'Lee marked this as sold to you for €120.00',
			'You marked this as sold to Ana for €120.00'
		],
		// The seller reads the stored sentence too: a buyer accepting a counter reserved it, not they.
		['reserved for someone else', { event: 'listing.reserved_elsewhere', actor_id: LEE.id }, 'The stored sentence', 'The stored sentence'],
		['sold to someone else', { event: 'listing.sold_elsewhere', actor_id: LEE.id }, 'The stored sentence', 'You sold this listing to another buyer'],
		// The payload names the buyer to the seller alone; another buyer's copy never says who, even were a name there.
		['reserved for Bo, as the seller reads it', { event: 'listing.reserved_elsewhere', actor_id: LEE.id, buyer_name: 'Bo' }, 'The stored sentence', 'Reserved for Bo'],
		['sold to Bo, as the seller reads it', { event: 'listing.sold_elsewhere', actor_id: LEE.id, buyer_name: 'Bo' }, 'The stored sentence', 'You sold this listing to Bo'],
		['available again', { event: 'listing.available', actor_id: LEE.id }, 'Lee made this listing available again', 'You made this listing available again'],
		[
			'released: its buyer deleted their account',
			{ event: 'listing.released', actor_id: LEE.id },
			'The stored sentence',
			'Available again: the buyer it was reserved for deleted their account'
		]
	])('%s', (_, payload, forAna, forLee) => {
		expect(systemText(system(payload), asAna)).toBe(forAna);
		expect(systemText(system(payload), asLee)).toBe(forLee);
	});
});

describe('systemText: the stored sentence when the reader is not named or the payload is not understood', () => {
	it.each<[string, ReturnType<typeof system>]>([
		['no payload', system(null)],
		['an unknown event', system({ event: 'offer.teleported', actor_id: LEE.id })],
		['an actor who is neither member', system({ event: 'offer.accepted', actor_id: userId(9), buyer_id: ANA.id, ...money })],
		['an amount missing', system({ event: 'offer.accepted', actor_id: LEE.id, buyer_id: ANA.id })],
		['a sale to a third person', system({ event: 'listing.sold', actor_id: LEE.id, buyer_id: userId(9) })]
	])('%s', (_, message) => {
		expect(systemText(message, asAna)).toBe('The stored sentence');
	});
});

describe('listingStatusLabel', () => {
	it('names reserved, sold and withdrawn listings, and nothing for one for sale', () => {
		expect(
			[listingStatusLabel('active'), listingStatusLabel('reserved'), listingStatusLabel('sold'), listingStatusLabel('withdrawn'), listingStatusLabel(null)]
		).toEqual([null, 'Reserved', 'Sold', 'Withdrawn', null]);
	});
});
