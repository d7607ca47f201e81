/**
 * What someone was writing in a conversation and has not sent, kept in this tab's sessionStorage:
 * it survives a reload and a look at another conversation, stays out of other tabs, and goes once
 * the text is sent or cleared. Storage refused (private modes, quotas) keeps nothing, silently.
 *
 * Each draft is its writer's: a conversation key is relative to the viewer (the other member and
 * the listing), so another member signing in on the same tab could open the same key. Drafts are
 * kept under their writer's id, and every draft not of the member signed in is forgotten once a
 * page shows who that is. Signing out forgets them all (MessagingClient.signingOut). A page that
 * shows nobody forgets nothing: with the database out of reach a signed-in member's reload shows
 * nobody too, and what they were writing must outlive the outage.
 */
const PREFIX = 'bazaar-messaging:draft:';

const keyOf = (writer: string, conversationKey: string) => `${PREFIX}${writer}:${conversationKey}`;

/** `writer` null (nobody signed in): nothing is read or kept. */
export function readDraft(writer: string | null, conversationKey: string): string {
	if (!writer) return '';
	try {
		return sessionStorage.getItem(keyOf(writer, conversationKey)) ?? '';
	} catch {
		return '';
	}
}

export function keepDraft(writer: string | null, conversationKey: string, text: string): void {
	if (!writer) return;
	try {
		if (text.trim()) sessionStorage.setItem(keyOf(writer, conversationKey), text);
		else sessionStorage.removeItem(keyOf(writer, conversationKey));
	} catch {
		// Nothing kept; the text is still on screen.
	}
}

/** Forgets every draft in this tab that is not `writer`'s (null: every draft). */
export function forgetOthersDrafts(writer: string | null): void {
	try {
		const own = writer ? `${PREFIX}${writer}:` : null;
		for (let i = sessionStorage.length - 1; i >= 0; i--) {
			const key = sessionStorage.key(i);
			if (key?.startsWith(PREFIX) && !(own && key.startsWith(own))) sessionStorage.removeItem(key);
		}
	} catch {
		// Storage refused: nothing was kept either.
	}
}
