import { OfferCardPayload, type Message, type Offer, type ProductSummary, type UserSummary } from '../schemas';
import { formatMinor } from './amount';

/** What a member may do to an open offer (the respond action's `action`). */
export type OfferResponse = 'accept' | 'decline' | 'counter' | 'withdraw';

/** The buttons' names, as screen readers and tests find them. */
export const OFFER_RESPONSE_LABEL: Record<OfferResponse, string> = {
	accept: 'Accept offer',
	decline: 'Decline offer',
	counter: 'Counter offer',
	withdraw: 'Withdraw offer'
};

/**
 * Whether a refused answer means the offer moved on before it reached the server, unheard here yet:
 * closed ("This offer is no longer open."), answered on another device, or a block between the two.
 * Not a mistake in what was typed, a limit reached or a lost connection: answering again may do.
 */
export function offerMovedOn(code: string | undefined): boolean {
	return code === 'not_allowed' || code === 'blocked' || code === 'you_blocked';
}

/** An offer card as one viewer sees it. */
export interface OfferCardView {
	offer: Offer;
	/** This card's amount: "€120.00". */
	amount: string;
	/** "Ana offered", "You offered", "Lee countered", "You countered". */
	byline: string;
	/** "Waiting for Lee", "Waiting for you", "Accepted", "Declined", "Withdrawn", "Closed · sold to you", "Countered". */
	state: string;
	/** The offer's newest card: the one its state and buttons belong to. */
	current: boolean;
	/** The buttons this viewer may press, in the order shown. */
	responses: OfferResponse[];
}

/** Who looks at the thread: the signed-in member, the other one, and whether a block stops them both. */
export interface OfferViewer {
	me: string;
	other: Pick<UserSummary, 'id' | 'display_name'>;
	blocked?: boolean;
	/** A newer card of the same offer is already shown (see supersededCards). */
	superseded?: boolean;
	/** How the deal this accepted card made has ended since, if it has (see endedDeals). */
	ended?: DealEnding;
}

/**
 * How an accepted offer's deal ended: the listing was made available again (by its seller, or
 * released when its buyer deleted their account), or its seller sold it to another buyer.
 */
export type DealEnding = 'available' | 'sold_elsewhere';

const ENDED_STATE: Record<DealEnding, string> = {
	available: 'Accepted · deal ended when the listing was made available again',
	sold_elsewhere: 'Accepted · deal ended: sold to another buyer'
};

const CLOSED_STATE = { accepted: 'Accepted', declined: 'Declined', withdrawn: 'Withdrawn' } as const;

/**
 * An offer card's amount, who made it, its state and the viewer's buttons, or null for a message
 * that is not a card with its offer. Only the offer's newest card takes buttons: an older one was
 * countered. The seller answers a buyer's offer (accept, decline, counter); the buyer answers a
 * counter (accept, decline) or takes back their own offer while the seller has not answered.
 */
export function offerCard(message: Message, viewer: OfferViewer): OfferCardView | null {
	const { offer } = message;
	if (message.kind !== 'offer' || !offer) return null;
	// The card's own amount: a countered card keeps what it offered while the offer moves on.
	const payload = OfferCardPayload.safeParse(message.payload);
	const amount = payload.success ? formatMinor(payload.data.amount_cents, payload.data.currency) : formatMinor(offer.amount_cents, offer.currency);
	const who = message.sender_id === viewer.me ? 'You' : message.sender_display_name;
	const byline = `${who} ${message.sender_id === offer.seller_id ? 'countered' : 'offered'}`;
	const current = offer.current && !viewer.superseded;
	return { offer, amount, byline, state: stateOf(offer, viewer), current, responses: responsesOf(offer, viewer) };
}

function stateOf(offer: Offer, viewer: OfferViewer): string {
	if (!offer.current || viewer.superseded) return 'Countered';
	if (offer.status === 'accepted' && viewer.ended) return ENDED_STATE[viewer.ended];
	// Only a sale to the offer's buyer closes it (set_listing_status): neither accepted nor declined.
	if (offer.status === 'closed') return viewer.me === offer.buyer_id ? 'Closed · sold to you' : `Closed · sold to ${viewer.other.display_name}`;
	if (offer.status !== 'open') return CLOSED_STATE[offer.status];
	const waitingFor = offer.awaiting === 'seller' ? offer.seller_id : offer.awaiting === 'buyer' ? offer.buyer_id : null;
	if (waitingFor === viewer.me) return 'Waiting for you';
	return waitingFor === viewer.other.id ? `Waiting for ${viewer.other.display_name}` : 'Open';
}

function responsesOf(offer: Offer, viewer: OfferViewer): OfferResponse[] {
	if (!offer.current || viewer.superseded || offer.status !== 'open' || viewer.blocked) return [];
	if (viewer.me === offer.seller_id) return offer.awaiting === 'seller' ? ['accept', 'decline', 'counter'] : [];
	if (viewer.me === offer.buyer_id) return offer.awaiting === 'buyer' ? ['accept', 'decline'] : offer.awaiting === 'seller' ? ['withdraw'] : [];
	return [];
}

/**
 * The cards (message ids) that a newer card of the same offer follows, in a thread's messages
 * (oldest first). The server says so too (`offer.current`), but the counter's answer brings the
 * new card before the event that updates the old one: without this, the countered card would
 * still offer its buttons in between.
 */
export function supersededCards(messages: readonly Message[]): Set<string> {
	const newest = new Map<string, string>();
	const superseded = new Set<string>();
	for (const message of messages) {
		if (message.kind !== 'offer' || !message.offer) continue;
		const previous = newest.get(message.offer.id);
		if (previous) superseded.add(previous);
		newest.set(message.offer.id, message.id);
	}
	return superseded;
}

/** The updates about a listing that end the deal an accepted card before them made. */
const DEAL_ENDINGS = new Map<unknown, DealEnding>([
	['listing.available', 'available'],
	['listing.released', 'available'],
	['listing.sold_elsewhere', 'sold_elsewhere']
]);

/**
 * The accepted cards (message ids) whose deal has ended, and how, in a thread's messages (oldest
 * first): the listing was made available again after them ('listing.available', or
 * 'listing.released' when its buyer deleted their account), or sold to another buyer
 * ('listing.sold_elsewhere': its seller may sell a listing reserved for one buyer to another).
 * The first such update after a card is the one that ended its deal. The offer row stays
 * accepted for good, so without this a thread with a second deal showed two "Accepted" cards,
 * and a buyer whose reserved listing was sold to someone else still read "Accepted". An offer is
 * accepted only while its listing is for sale, so such an update after the card came after the
 * acceptance; and a thread loads from its newest message, so whatever follows a loaded card is
 * loaded too.
 */
export function endedDeals(messages: readonly Message[]): Map<string, DealEnding> {
	const ended = new Map<string, DealEnding>();
	let ending: DealEnding | undefined;
	for (let i = messages.length - 1; i >= 0; i--) {
		const { id, kind, payload, offer } = messages[i];
		const event = kind === 'system' ? DEAL_ENDINGS.get(payload?.event) : undefined;
		if (event) ending = event;
		else if (ending && kind === 'offer' && offer?.status === 'accepted') ended.set(id, ending);
	}
	return ended;
}

/**
 * Whether the viewer may start an offer here: a buyer (not the seller) in a conversation about a
 * listing that is still active, with no open offer of theirs among the loaded messages. The
 * server checks all of it again (and knows about older pages); this only decides what to show.
 */
export function canMakeOffer(options: {
	product: ProductSummary | null;
	messages: readonly Message[];
	me: string | null;
	blocked: boolean;
}): boolean {
	const { product, messages, me, blocked } = options;
	if (!product || !me || blocked || product.seller_id === me || product.status !== 'active') return false;
	return !messages.some((m) => m.offer?.status === 'open' && m.offer.buyer_id === me);
}
