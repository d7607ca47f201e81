import { SystemEvent, type Message, type UserSummary } from '../schemas/index.js';
import { formatMinor } from './amount.js';

/**
 * The text of a system message for the member reading it. The stored body is a neutral sentence
 * for previews, search and email ("Lee accepted Ana's offer of €120.00"); in the thread, a
 * sentence that names the reader says "you" instead ("Lee accepted your offer of €120.00", "Ana
 * accepted your counter-offer of €130.00", "Lee marked this as sold to you for €130.00").
 * Whatever this cannot word (an event it does not know, someone who is neither member, a
 * payload without its amount) falls back to the stored body, which is always complete.
 */
export function systemText(message: Pick<Message, 'body' | 'payload'>, viewer: { me: string; other: Pick<UserSummary, 'id' | 'display_name'> }): string {
	const parsed = SystemEvent.safeParse(message.payload);
	if (!parsed.success) return message.body;
	const { event, actor_id, buyer_id, amount_cents, currency, buyer_name, countered } = parsed.data;
	const { me, other } = viewer;
	const mine = actor_id === me;
	// Offers and sales happen between the two members: anyone else is for the stored body to name.
	if (!mine && actor_id !== other.id) return message.body;
	const them = other.display_name;
	const amount = amount_cents !== undefined && currency ? formatMinor(amount_cents, currency) : null;
	const withAmount = (text: string) => (amount ? `${text} of ${amount}` : null);
	// A buyer answers only the seller's counter, and a seller takes back only their own counter (a
	// block withdraws it): the amount named is a counter-offer, which "your offer" said to a seller
	// who had made none.
	const counter = buyer_id !== undefined && (event === 'offer.withdrawn' ? actor_id !== buyer_id : actor_id === buyer_id);
	const offer = counter ? 'counter-offer' : 'offer';
	const text = ((): string | null => {
		switch (event) {
			case 'offer.accepted':
				return withAmount(mine ? `You accepted ${them}'s ${offer}` : `${them} accepted your ${offer}`);
			case 'offer.declined':
				return withAmount(mine ? `You declined ${them}'s ${offer}` : `${them} declined your ${offer}`);
			case 'offer.withdrawn':
				return withAmount(mine ? `You withdrew your ${offer}` : `${them} withdrew their ${offer}`);
			case 'offer.countered':
				return amount ? `${mine ? 'You' : them} countered with ${amount}` : null;
			case 'offer.auto_declined': {
				// Closed because the listing went to someone else: the buyer's offer (declined), or the seller's counter (withdrawn).
				const whose = countered
					? (mine ? 'Your counter-offer' : `${them}'s counter-offer`)
					: buyer_id === me ? 'Your offer' : buyer_id === other.id ? `${them}'s offer` : null;
				return whose && amount ? `${whose} of ${amount} was ${countered ? 'withdrawn' : 'declined'}: the listing went to another buyer` : null;
			}
			case 'listing.reserved_elsewhere':
				// Posted as the seller even when a buyer accepting a counter reserved it, so not "You
				// reserved". Only the seller's copy names the buyer: the other buyers must not learn who.
				return mine && buyer_name ? `Reserved for ${buyer_name}` : null;
			case 'listing.sold': {
				// The price the buyer's accepted offer agreed, when the sale was of a listing reserved for them.
				const price = amount ? ` for ${amount}` : '';
				if (mine && buyer_id === other.id) return `You marked this as sold to ${them}${price}`;
				return !mine && buyer_id === me ? `${them} marked this as sold to you${price}` : null;
			}
			case 'listing.sold_elsewhere':
				return mine ? `You sold this listing to ${buyer_name ?? 'another buyer'}` : null;
			case 'listing.available':
				return `${mine ? 'You' : them} made this listing available again`;
			case 'listing.released':
				return mine ? 'Available again: the buyer it was reserved for deleted their account' : null;
			case 'listing.withdrawn':
				// Its seller is gone: the stored sentence, which names nobody, is for every reader.
				return null;
		}
	})();
	return text ?? message.body;
}
