/**
 * Conversation keys name a conversation from the viewer's side: `otherUserId__productId`,
 * or `otherUserId__general` when it is about no product. This module is the one place
 * that knows the format; everything else passes the parsed parts.
 */
export interface ConversationKeyParts {
	otherUserId: string;
	/** null for the pair's general conversation */
	productId: string | null;
}

export const GENERAL = 'general';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const KEY = new RegExp(`^(${UUID})__(${UUID}|${GENERAL})$`);

export class InvalidConversationKeyError extends Error {
	readonly status = 400;
	constructor(readonly key: string) {
		super('This conversation link is not valid.');
	}
}

export function formatConversationKey({ otherUserId, productId }: ConversationKeyParts): string {
	return `${otherUserId.toLowerCase()}__${productId ? productId.toLowerCase() : GENERAL}`;
}

/** The parts of a well-formed key, or null. Upper-case UUIDs are accepted and normalised. */
export function tryParseConversationKey(key: string): ConversationKeyParts | null {
	const match = KEY.exec(key.trim().toLowerCase());
	if (!match) return null;
	return { otherUserId: match[1], productId: match[2] === GENERAL ? null : match[2] };
}

export function parseConversationKey(key: string): ConversationKeyParts {
	const parts = tryParseConversationKey(key);
	if (!parts) throw new InvalidConversationKeyError(key);
	return parts;
}
