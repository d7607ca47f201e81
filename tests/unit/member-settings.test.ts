import { describe, expect, it } from 'vitest';
import type { MessagingPreferences, RealtimeSession } from '../../src/lib/messaging/schemas/index.ts';
import { MemberSettings } from '../../src/lib/messaging/state/member-settings.svelte.ts';
import { ME, at } from '../support/rows.ts';

/** Which of a tab's two sources of the member's preferences stands: the session's load or a later event. */

const ON: MessagingPreferences = { email_digests: true, browser_notifications: true };
const session = (cursor: number, preferences: MessagingPreferences): RealtimeSession => ({ me: ME, cursor, unreadTotal: 0, transport: 'sse', preferences });
const changed = (id: number, preferences: MessagingPreferences) =>
	({ type: 'preferences.updated', id, conversation_id: null, created_at: at(id), payload: { preferences } }) as const;

describe('a member’s preferences in a tab', () => {
	it('are the session’s until an event newer than its load, and the session’s again once a load includes the event', () => {
		const settings = new MemberSettings();
		const off = { email_digests: true, browser_notifications: false };
		expect(settings.preferences(session(5, ON))).toEqual(ON);
		expect(settings.apply(changed(6, off))).toBe(true);
		expect(settings.preferences(session(5, ON))).toEqual(off);
		expect(settings.preferences(null)).toEqual(off);
		// A later load (cursor 6 and on) read the preferences after the change, and after any later one too.
		const both = { email_digests: false, browser_notifications: false };
		expect(settings.preferences(session(7, both))).toEqual(both);
		settings.forget();
		expect(settings.preferences(session(5, ON))).toEqual(ON);
	});

	it('takes no other event', () => {
		const settings = new MemberSettings();
		const read = { type: 'read', id: 3, conversation_id: ME, created_at: at(3), payload: { read_state: null } } as never;
		expect(settings.apply(read)).toBe(false);
	});
});
