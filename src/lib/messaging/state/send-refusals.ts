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
