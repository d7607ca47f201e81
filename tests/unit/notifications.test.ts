import { describe, expect, it } from 'vitest';
import {
	baseTitle,
	messagePreviewText,
	notificationContent,
	shouldCountInTitle,
	shouldNotify,
	titleWithCount,
	type Arrival
} from '../../src/lib/messaging/notifications/decide.ts';
import { PreferencesFormInput } from '../../src/lib/messaging/notifications/preferences-form.ts';
import { ALICE, CONVERSATION, KEY, ME, PRODUCT, at, message, messageEvent, readEvent, readState } from '../support/rows.ts';

/**
 * When a hidden tab draws attention to a message, and what it shows: the pure rules the
 * notifier follows, tested without a browser.
 */

const fromAlice = messageEvent(message()) as Arrival;
const mine = messageEvent(message({ sender_id: ME, sender_display_name: 'Me' }));
const attention = { event: fromAlice, me: ME, muted: false, hidden: true };
const allowed = { ...attention, permission: 'granted' as const, preference: true };

describe('shouldCountInTitle', () => {
	it('counts a message from the other member while the tab is hidden', () => {
		expect(shouldCountInTitle(attention)).toBe(true);
	});

	it('leaves a visible tab alone', () => {
		expect(shouldCountInTitle({ ...attention, hidden: false })).toBe(false);
	});

	it('stays quiet for a muted conversation', () => {
		expect(shouldCountInTitle({ ...attention, muted: true })).toBe(false);
	});

	it('never counts one’s own message, sent from another tab or device', () => {
		expect(shouldCountInTitle({ ...attention, event: mine })).toBe(false);
	});

	it('a catch-up’s old message is no news once read on another device, or deleted since', () => {
		const read = messageEvent(message(), { preview: { unread_count: 0 } });
		const deleted = messageEvent(message({ body: '', deleted_at: at(30) }), { preview: { unread_count: 1 } });
		const stillUnread = messageEvent(message(), { preview: { unread_count: 2 } });
		expect(shouldCountInTitle({ ...attention, event: read })).toBe(false);
		expect(shouldCountInTitle({ ...attention, event: deleted })).toBe(false);
		expect(shouldCountInTitle({ ...attention, event: stillUnread })).toBe(true);
		expect(shouldNotify({ ...allowed, event: read })).toBe(false);
		expect(shouldNotify({ ...allowed, event: deleted })).toBe(false);
		expect(shouldNotify({ ...allowed, event: stillUnread })).toBe(true);
	});

	it('counts only new messages: edits, reactions and read positions are not arrivals', () => {
		expect(shouldCountInTitle({ ...attention, event: messageEvent(message(), { type: 'message.updated' }) })).toBe(false);
		expect(shouldCountInTitle({ ...attention, event: readEvent(readState()) })).toBe(false);
	});
});

describe('shouldNotify', () => {
	it('shows a notification when the member allowed it and the browser granted it', () => {
		expect(shouldNotify(allowed)).toBe(true);
	});

	it('needs the browser’s permission: never while it is only "default" (asking is for a click)', () => {
		for (const permission of ['default', 'denied', 'unsupported', 'unknown'] as const) {
			expect(shouldNotify({ ...allowed, permission })).toBe(false);
		}
	});

	it('with the setting off, no notification even where the browser allows them', () => {
		expect(shouldNotify({ ...allowed, preference: false })).toBe(false);
	});

	it('a muted conversation, a visible tab or one’s own message: no notification', () => {
		expect(shouldNotify({ ...allowed, muted: true })).toBe(false);
		expect(shouldNotify({ ...allowed, hidden: false })).toBe(false);
		expect(shouldNotify({ ...allowed, event: mine })).toBe(false);
	});
});

describe('titles', () => {
	it('puts the count before the page’s own title', () => {
		expect(titleWithCount('Messages · Bazaar', 3)).toBe('(3) Messages · Bazaar');
	});

	it('replaces a count already there rather than stacking them', () => {
		expect(titleWithCount('(3) Messages · Bazaar', 4)).toBe('(4) Messages · Bazaar');
	});

	it('shows the title alone at 0', () => {
		expect(titleWithCount('(3) Messages · Bazaar', 0)).toBe('Messages · Bazaar');
	});

	it('keeps a page title that merely starts with a parenthesis', () => {
		expect(baseTitle('(Nearly new) oak chair · Bazaar')).toBe('(Nearly new) oak chair · Bazaar');
	});
});

describe('notificationContent', () => {
	it('names the sender and the listing, shows the text, collapses by conversation and links to it', () => {
		expect(notificationContent(fromAlice, { me: ME, basePath: '/messages' })).toEqual({
			title: 'Alice · Oak chair',
			body: 'Is it still available?',
			tag: CONVERSATION,
			url: `/messages?conversation=${KEY}`,
			icon: undefined
		});
	});

	it('a general conversation is titled by the sender alone and links to the pair’s general key', () => {
		const general = messageEvent(message({ product_id: null, product_title: null }), { preview: { product_id: null, product_title: null } }) as Arrival;
		const content = notificationContent(general, { me: ME, basePath: '/chat' });
		expect(content.title).toBe('Alice');
		expect(content.url).toBe(`/chat?conversation=${ALICE}__general`);
	});

	it('without a preview in the event the link is still the sender’s conversation about the product', () => {
		const bare = messageEvent(message(), { preview: null }) as Arrival;
		expect(notificationContent(bare, { me: ME, basePath: '/messages' }).url).toBe(`/messages?conversation=${ALICE}__${PRODUCT}`);
	});

	it('uses the sender’s picture as the icon', () => {
		const pictured = messageEvent(message({ sender_avatar_url: '/avatars/alice.png' })) as Arrival;
		expect(notificationContent(pictured, { me: ME, basePath: '/messages' }).icon).toBe('/avatars/alice.png');
	});
});

describe('messagePreviewText', () => {
	const photo = { id: 'f0000000-0000-4000-8000-000000000001', width: 10, height: 10, thumb_width: 10, thumb_height: 10 };

	it('a photo without text reads "Photo", several "N photos"', () => {
		expect(messagePreviewText(message({ body: '', attachments: [photo] }), ME)).toBe('Photo');
		expect(messagePreviewText(message({ body: '', attachments: [photo, { ...photo, id: 'f0000000-0000-4000-8000-000000000002' }] }), ME)).toBe('2 photos');
	});

	it('shows the text as received: masked contact details stay masked', () => {
		const masked = message({ body: 'Call me on (contact details hidden)', contact_hidden: true });
		expect(messagePreviewText(masked, ME)).toBe('Call me on (contact details hidden)');
	});

	it('shortens a long message', () => {
		const text = messagePreviewText(message({ body: 'word '.repeat(100) }), ME);
		expect(text.length).toBeLessThanOrEqual(160);
		expect(text.endsWith('…')).toBe(true);
	});

	it('a system message speaks to the reader', () => {
		const accepted = message({
			kind: 'system',
			body: 'Alice accepted Me’s offer of €40.00',
			payload: { event: 'offer.accepted', actor_id: ALICE, buyer_id: ME, amount_cents: 4000, currency: 'EUR' }
		});
		expect(messagePreviewText(accepted, ME)).toBe('Alice accepted your offer of €40.00');
	});
});

describe('PreferencesFormInput', () => {
	it('a ticked box is "on", an unticked one is absent: both read as booleans', () => {
		expect(PreferencesFormInput.parse({ form: 'preferences', email_digests: 'on' })).toEqual({ emailDigests: true, browserNotifications: false });
		expect(PreferencesFormInput.parse({ form: 'preferences' })).toEqual({ emailDigests: false, browserNotifications: false });
	});

	it('with the boxes the page changed named, saves only those: the other is left as it is', () => {
		expect(PreferencesFormInput.parse({ form: 'preferences', only: 'browser_notifications' })).toEqual({ emailDigests: undefined, browserNotifications: false });
		expect(PreferencesFormInput.parse({ form: 'preferences', email_digests: 'on', only: 'email_digests' })).toEqual({ emailDigests: true, browserNotifications: undefined });
		expect(PreferencesFormInput.parse({ form: 'preferences', email_digests: 'on', only: 'email_digests,browser_notifications' })).toEqual({
			emailDigests: true,
			browserNotifications: false
		});
		expect(PreferencesFormInput.safeParse({ form: 'preferences', only: 'unread_total' }).success).toBe(false);
		expect(PreferencesFormInput.safeParse({ form: 'preferences', only: '' }).success).toBe(false);
	});

	it('refuses anything else: a post that is not the settings form is never read as "all off"', () => {
		expect(PreferencesFormInput.safeParse({ form: 'preferences', email_digests: 'yes' }).success).toBe(false);
		expect(PreferencesFormInput.safeParse({}).success).toBe(false);
		expect(PreferencesFormInput.safeParse({ body: 'hello' }).success).toBe(false);
		expect(PreferencesFormInput.safeParse({ form: 'preferences', body: 'hello' }).success).toBe(false);
	});
});
