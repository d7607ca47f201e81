/**
 * What someone was writing in a conversation and has not sent, kept in this tab's sessionStorage:
 * it survives a reload and a look at another conversation, stays out of other tabs, and goes once
 * the text is sent or cleared. Storage refused (private modes, quotas) keeps nothing, silently.
 */
const PREFIX = 'bazaar-messaging:draft:';

export function readDraft(conversationKey: string): string {
	try {
		return sessionStorage.getItem(PREFIX + conversationKey) ?? '';
	} catch {
		return '';
	}
}

export function keepDraft(conversationKey: string, text: string): void {
	try {
		if (text.trim()) sessionStorage.setItem(PREFIX + conversationKey, text);
		else sessionStorage.removeItem(PREFIX + conversationKey);
	} catch {
		// Nothing kept; the text is still on screen.
	}
}
