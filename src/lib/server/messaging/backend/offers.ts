import { MessagingError } from '$lib/messaging/errors.js';
import type { ConversationKeyParts } from '$lib/messaging/conversation-key.js';
import { z } from 'zod';
import { Id, Message, Offer, ProductSummary } from '$lib/messaging/schemas/index.js';
import { conversationTarget, id } from './ids.js';
import type { MessagingBackend } from './messaging-backend.js';
import type { RpcCall } from './rpc-call.js';

/**
 * An offer into an existing conversation by id, or into the conversation a key names (created on
 * first contact). `currency`, when given, is the one the amount was typed in: the listing's, or refused.
 */
export type MakeOffer = { id: string; amountCents: number; currency?: string | null } & ({ conversationId: string } | { to: ConversationKeyParts });

export type OfferAction = 'accept' | 'decline' | 'counter' | 'withdraw';

/** An answer to an offer; a counter carries its amount (in `currency`, if named) and the new card's message id (its idempotency key). */
export type RespondToOffer = { offerId: string; action: OfferAction; amountCents?: number | null; currency?: string | null; id?: string | null };

const OFFER_ACTIONS: readonly OfferAction[] = ['accept', 'decline', 'counter', 'withdraw'];

/** Minor units as a whole number; the range is the database's to judge, in its own sentence. */
function amount(cents: number): number {
	if (!Number.isSafeInteger(cents)) throw new MessagingError('invalid_input', 'The amount is not valid.');
	return cents;
}

/**
 * The caller's deal with a listing: their newest offer on it in any state, with its newest card
 * (the message to show it by), whether that amount is the seller's counter, who closed it (the
 * listing: declined as it went to another buyer; null while open or when nothing records it),
 * whether the listing is reserved for them or sold to them, and the price a sale to them was
 * agreed at (their accepted offer's; null for a sale without one, or when nothing records it).
 */
export const ListingDeal = z.object({
	offer: Offer.nullable(),
	card_message_id: Id.nullable(),
	countered: z.boolean(),
	closed_by: z.enum(['buyer', 'seller', 'listing']).nullable(),
	reserved_for_you: z.boolean(),
	sold_to_you: z.boolean(),
	sold_for: z.object({ amount_cents: z.number().int(), currency: z.string() }).nullable()
});
export type ListingDeal = z.infer<typeof ListingDeal>;
const ListingDealOrNone = ListingDeal.nullable();

/** The offer and listing-status methods of the backend (make_offer, respond_to_offer, my_deal_on_listing, set_listing_status). */
export function offerMethods(call: RpcCall): Pick<MessagingBackend, 'makeOffer' | 'respondToOffer' | 'myDealOnListing' | 'setListingStatus'> {
	return {
		async makeOffer(options) {
			const target = conversationTarget(options);
			return Message.parse(
				await call(
					'make_offer',
					{ p_id: id(options.id, 'message'), p_amount_cents: amount(options.amountCents), ...target, p_currency: options.currency ?? null },
					'value'
				)
			);
		},

		async respondToOffer({ offerId, action, amountCents = null, currency = null, id: cardId = null }) {
			if (!OFFER_ACTIONS.includes(action)) throw new MessagingError('invalid_input', 'Choose to accept, decline, counter or withdraw the offer.');
			return Message.parse(
				await call(
					'respond_to_offer',
					{
						p_offer_id: id(offerId, 'offer'),
						p_action: action,
						p_amount_cents: amountCents === null ? null : amount(amountCents),
						p_id: cardId ? id(cardId, 'message') : null,
						p_currency: currency
					},
					'value'
				)
			);
		},

		async myDealOnListing({ productId }) {
			return ListingDealOrNone.parse(await call('my_deal_on_listing', { p_product_id: id(productId, 'product') }, 'value'));
		},

		async setListingStatus({ conversationId, status }) {
			if (status !== 'sold' && status !== 'active') throw new MessagingError('invalid_input', 'A listing can be marked sold or available again.');
			return ProductSummary.parse(
				await call('set_listing_status', { p_conversation_id: id(conversationId, 'conversation'), p_status: status }, 'value')
			);
		}
	};
}
