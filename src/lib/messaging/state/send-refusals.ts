import { NOT_DELIVERED } from '../api';

/** The code of a refusal for sending faster than the site's limit (see check_send_rate). */
export const RATE_LIMITED = 'rate_limited';

/**
 * Why a kept send waits to go again by itself: no connection (or no answer), or the send limit,
 * which lets it through once the minute it counts has moved on.
 */
export type SendWait = 'connection' | 'limit';

/**
 * Refusals of the message itself, which sending it again cannot change: it is forgotten, and its
 * bubble says "Not sent" with the text. Anything else (no connection, the database out of reach,
 * a session to renew, the send limit, an answer nobody expected) may pass on another try, so the
 * send is kept for it.
 */
const REFUSED_FOR_GOOD: ReadonlySet<string> = new Set([
	'invalid_input',
	'body_empty',
	'body_too_long',
	'self_conversation',
	'product_seller_mismatch',
	'not_found',
	'not_member',
	'not_allowed',
	'blocked',
	'you_blocked',
	'message_deleted',
	'conflict'
]);

export const refusedForGood = (code: string | undefined): boolean => REFUSED_FOR_GOOD.has(code ?? '');

/** Whether a refusal with this code goes again by itself, and for what it waits. */
export function waitFor(code: string | undefined): SendWait | undefined {
	if (code === NOT_DELIVERED) return 'connection';
	if (code === RATE_LIMITED) return 'limit';
	return undefined;
}
