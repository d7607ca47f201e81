import { describe, expect, it } from 'vitest';
import type { DigestContent, DigestConversation } from '../../src/lib/server/messaging/digests/content.ts';
import { digestMail, MailNotSent, unsubscribeUrl } from '../../src/lib/server/messaging/digests/mail.ts';
import { refusedForCertain } from '../../src/lib/server/messaging/digests/mailers.ts';
import { formOriginGuard } from '../../src/lib/server/messaging/digests/origin-guard.ts';
import { conversationUrl, MESSAGES_SHOWN, renderDigest } from '../../src/lib/server/messaging/digests/render.ts';

/** The digest email: what it says, that nothing a member wrote can become markup, and its headers. */

const LEE = '2b1f3c4d-0000-4000-8000-0000000000aa';
const BEN = '2b1f3c4d-0000-4000-8000-0000000000bb';
const SAM = '2b1f3c4d-0000-4000-8000-0000000000cc';
const CAMERA = '9c8b7a6d-0000-4000-8000-000000000001';
const TOKEN = 'ab'.repeat(32);
const PUBLIC_URL = 'https://bazaar.example';

let counter = 0;
const message = (body: string, overrides: Partial<DigestConversation['messages'][number]> = {}) => ({
	id: `7e000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`,
	sender_name: 'Ben',
	body,
	kind: 'text' as const,
	created_at: '2026-12-05T10:00:00.000000+00:00',
	photo_count: 0,
	...overrides
});

function conversation(overrides: Partial<DigestConversation> = {}): DigestConversation {
	return {
		conversation_id: '5a000000-0000-4000-8000-000000000001',
		key: `${BEN}__${CAMERA}`,
		other_name: 'Ben',
		product_title: 'Vintage camera',
		messages: [message('Is the camera still available?')],
		...overrides
	};
}

const LEE_READS = { user_id: LEE, email: 'lee@example.com', display_name: 'Lee' };

function digest(conversations: DigestConversation[] = [conversation()], reader = LEE_READS): DigestContent {
	return { id: 'd1000000-0000-4000-8000-000000000001', ...reader, unsubscribe_token: TOKEN, conversations };
}

const render = (content: DigestContent) => renderDigest(content, { publicUrl: PUBLIC_URL, unsubscribeUrl: unsubscribeUrl(PUBLIC_URL, LEE, TOKEN) });

describe('renderDigest', () => {
	it('says who wrote, about which listing, what they wrote, and links into the conversation, in text and HTML', () => {
		const { subject, text, html } = render(digest());
		expect(subject).toBe('Ben sent you a message about Vintage camera');
		// Addressed to its reader: followed while signed in as someone else, the page does not open it.
		const link = `${PUBLIC_URL}/messages?conversation=${BEN}__${CAMERA}&for=${LEE}`;
		expect(conversationUrl(PUBLIC_URL, `${BEN}__${CAMERA}`, undefined, LEE)).toBe(link);
		expect(conversationUrl(PUBLIC_URL, `${BEN}__${CAMERA}`)).toBe(`${PUBLIC_URL}/messages?conversation=${BEN}__${CAMERA}`);
		for (const part of [text, html]) {
			expect(part).toContain('Hi Lee');
			expect(part).toContain('Ben about “Vintage camera”');
			expect(part).toContain('Is the camera still available?');
		}
		expect(text).toContain(`Open the conversation: ${link}`);
		expect(html).toContain(`<a href="${link.replace('&', '&amp;')}"`);
	});

	it('groups several conversations under one subject, and a general conversation has no listing', () => {
		const { subject, text } = render(
			digest([
				conversation({ messages: [message('First'), message('Second')] }),
				conversation({ key: `${SAM}__general`, other_name: 'Sam', product_title: null, messages: [message('Hello', { sender_name: 'Sam' })] })
			])
		);
		expect(subject).toBe('3 new messages from Ben and Sam');
		// "New": what arrived since the last digest. The inbox counts unread messages mailed before too.
		expect(text).toContain('You have 3 new messages on Bazaar.');
		expect(text).toContain('Ben about “Vintage camera” (2 new messages)');
		expect(text).toContain('Sam (1 new message)');
		expect(text).toContain(`${PUBLIC_URL}/messages?conversation=${SAM}__general`);
	});

	it('escapes everything a member wrote in the HTML: names, titles and bodies', () => {
		const attack = '<img src=x onerror=alert(1)>"\'&';
		const { html, subject } = render(
			digest([conversation({ other_name: `Ben ${attack}`, product_title: `Camera ${attack}`, messages: [message(`Hi ${attack}`, { sender_name: `Ben ${attack}` })] })])
		);
		expect(html).not.toContain('<img');
		expect(html).not.toContain('onerror=alert(1)>');
		expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;');
		expect(subject).toContain('<img'); // a subject is text, encoded by the mailer, never markup
	});

	it('keeps names and titles on one line, so nothing a member wrote can start a header', () => {
		const { subject } = render(digest([conversation({ other_name: 'Ben\r\nBcc: victim@example.com', messages: [message('x')] })]));
		expect(subject).not.toMatch(/[\r\n]/);
		expect(subject).toBe('Ben Bcc: victim@example.com sent you a message about Vintage camera');
	});

	it('shows the newest messages of a long conversation and counts the rest, cuts long texts, and names photos', () => {
		const many = Array.from({ length: MESSAGES_SHOWN + 3 }, (_, i) => message(`Message ${i + 1}`));
		const { text } = render(
			digest([
				conversation({ messages: many }),
				conversation({ key: `${SAM}__general`, other_name: 'Sam', product_title: null, messages: [message('', { photo_count: 2 }), message('x'.repeat(5000), { photo_count: 1 })] })
			])
		);
		expect(text).toContain('…and 3 earlier messages');
		expect(text).not.toContain('Message 3\n');
		expect(text).toContain(`Message ${MESSAGES_SHOWN + 3}`);
		expect(text).toContain('Ben: sent 2 photos');
		expect(text).toContain('… (+1 photo)');
		expect(text).not.toContain('x'.repeat(700));
	});

	it('an offer card or system message is its own sentence, without the sender’s name before it; a text keeps "Name: text"', () => {
		const { text, html } = render(
			digest([
				conversation({
					other_name: 'Ben Buyer',
					messages: [
						message('Is the lamp bulb E27?', { sender_name: 'Ben Buyer' }),
						message('Ben Buyer offered €35.00', { sender_name: 'Ben Buyer', kind: 'offer' }),
						message('Lee Seller reserved this for Ben Buyer', { sender_name: 'Lee Seller', kind: 'system' })
					]
				})
			])
		);
		expect(text).toContain('\n  Ben Buyer: Is the lamp bulb E27?\n  Ben Buyer offered €35.00\n  Lee Seller reserved this for Ben Buyer\n');
		expect(text).not.toContain('Ben Buyer: Ben Buyer');
		expect(html).toContain('<strong>Ben Buyer:</strong> Is the lamp bulb E27?');
		expect(html).toContain('<p style="margin:4px 0">Ben Buyer offered €35.00</p>');
		expect(html).not.toContain('Lee Seller:');
	});

	it('ends with the unsubscribe link', () => {
		const { text, html } = render(digest());
		const link = `${PUBLIC_URL}/unsubscribe?u=${LEE}&t=${TOKEN}`;
		expect(text).toContain(`Stop these emails: ${link}`);
		expect(html).toContain(`<a href="${link.replace('&', '&amp;')}"`);
	});
});

describe('renderDigest: a deal’s news, worded for its reader', () => {
	const ben = { user_id: BEN, email: 'ben@example.com', display_name: 'Ben Buyer' };
	const withSam = (messages: DigestConversation['messages']) =>
		conversation({ key: `${SAM}__${CAMERA}`, other_name: 'Sam Seller', product_title: 'Vintage film camera', messages });
	const accepted = () =>
		message("Sam Seller accepted Ben Buyer's offer of €141.00", {
			sender_name: 'Sam Seller',
			kind: 'system',
			payload: { event: 'offer.accepted', actor_id: SAM, buyer_id: BEN, amount_cents: 14_100, currency: 'EUR' },
			created_at: '2026-12-05T10:05:00.000000+00:00'
		});

	it('says "your offer" to the buyer, as the app does, and the subject says what happened', () => {
		const { subject, text, html } = render(digest([withSam([accepted()])], ben));
		expect(subject).toBe('Sam Seller accepted your offer of €141.00 · Vintage film camera');
		for (const part of [text, html]) {
			expect(part).toContain('Sam Seller accepted your offer of €141.00');
			expect(part).not.toContain("Ben Buyer's offer");
		}
	});

	it('names the newest move of a deal among other messages, and counts the rest', () => {
		const earlier = message('Sam Seller countered with €141.00', {
			sender_name: 'Sam Seller',
			kind: 'offer',
			payload: { offer_id: 'e0000000-0000-4000-8000-000000000001', amount_cents: 14_100, currency: 'EUR' },
			created_at: '2026-12-05T10:01:00.000000+00:00'
		});
		const after = message('Pick it up on Saturday?', { sender_name: 'Sam Seller', created_at: '2026-12-05T10:06:00.000000+00:00' });
		const question = conversation({ key: `${LEE}__general`, other_name: 'Lee', product_title: null, messages: [message('Hello', { sender_name: 'Lee' })] });
		const { subject, text } = render(digest([withSam([earlier, accepted(), after]), question], ben));
		expect(subject).toBe('Sam Seller accepted your offer of €141.00 · Vintage film camera (and 3 more new messages)');
		expect(text).toContain('\n  Sam Seller countered with €141.00\n  Sam Seller accepted your offer of €141.00\n  Sam Seller: Pick it up on Saturday?\n');
	});

	it('says "your counter-offer" to the seller whose counter the buyer accepted; an offer card is named as it is', () => {
		const counterAccepted = message("Ben Buyer accepted Lee Seller's counter-offer of €36.00", {
			sender_name: 'Ben Buyer',
			kind: 'system',
			payload: { event: 'offer.accepted', actor_id: BEN, buyer_id: BEN, amount_cents: 3_600, currency: 'EUR' }
		});
		const lamp = (messages: DigestConversation['messages']) => conversation({ other_name: 'Ben Buyer', product_title: 'Oak desk lamp', messages });
		expect(render(digest([lamp([counterAccepted])])).subject).toBe('Ben Buyer accepted your counter-offer of €36.00 · Oak desk lamp');
		const offered = message('Ben Buyer offered €30.00', {
			sender_name: 'Ben Buyer',
			kind: 'offer',
			payload: { offer_id: 'e0000000-0000-4000-8000-000000000002', amount_cents: 3_000, currency: 'EUR' }
		});
		expect(render(digest([lamp([offered])])).subject).toBe('Ben Buyer offered €30.00 · Oak desk lamp');
	});
});

describe('digestMail', () => {
	it('carries one-click unsubscribe headers with the signed https link and a Message-ID stable for the digest', () => {
		const mail = digestMail(digest(), { publicUrl: PUBLIC_URL, from: 'Bazaar <no-reply@bazaar.example>' });
		expect(mail.to).toEqual({ name: 'Lee', address: 'lee@example.com' });
		expect(mail.headers).toEqual({
			'List-Unsubscribe': `<${PUBLIC_URL}/unsubscribe?u=${LEE}&t=${TOKEN}>`,
			'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click'
		});
		expect(mail.messageId).toBe('<digest-d1000000-0000-4000-8000-000000000001@bazaar.example>');
		expect(digestMail(digest(), { publicUrl: `${PUBLIC_URL}/`, from: 'x <x@y>' }).messageId).toBe(mail.messageId);
	});

	it('links where the host mounts its pages, under the path its public address has', () => {
		const options = { publicUrl: 'https://shop.example/app/', messagesPath: '/inbox', unsubscribePath: 'account/unsubscribe', from: 'x <x@y>' };
		const mail = digestMail(digest(), options);
		const unsubscribe = `https://shop.example/app/account/unsubscribe?u=${LEE}&t=${TOKEN}`;
		expect(mail.headers['List-Unsubscribe']).toBe(`<${unsubscribe}>`);
		const link = `https://shop.example/app/inbox?conversation=${BEN}__${CAMERA}`;
		for (const part of [mail.text, mail.html]) expect(part).toContain(link);
		expect(mail.html).toContain(`<a href="${unsubscribe.replace('&', '&amp;')}"`);
		// The defaults, under the same path: the demo's pages.
		const plain = digestMail(digest(), { publicUrl: 'https://shop.example/app', from: 'x <x@y>' });
		expect(plain.headers['List-Unsubscribe']).toBe(`<https://shop.example/app/unsubscribe?u=${LEE}&t=${TOKEN}>`);
		expect(plain.text).toContain(`https://shop.example/app/messages?conversation=${BEN}__${CAMERA}`);
	});
});

describe('refusedForCertain', () => {
	it('a server answer refuses for certain: 4xx for now, 5xx for good', () => {
		expect(refusedForCertain(Object.assign(new Error('451 try later'), { code: 'EMESSAGE', responseCode: 451 }))).toMatchObject({ permanent: false });
		expect(refusedForCertain(Object.assign(new Error('550 no such user'), { code: 'EENVELOPE', responseCode: 550 }))).toMatchObject({ permanent: true });
		expect(refusedForCertain(Object.assign(new Error('refused'), { code: 'ECONNECTION', originalCode: 'ECONNREFUSED' }))).toBeInstanceOf(MailNotSent);
		expect(refusedForCertain(Object.assign(new Error('bad login'), { code: 'EAUTH' }))).toBeInstanceOf(MailNotSent);
	});

	it('a connection lost mid-conversation proves nothing: the server may have taken the mail', () => {
		expect(refusedForCertain(Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION' }))).toBeNull();
		expect(refusedForCertain(Object.assign(new Error('Timeout'), { code: 'ETIMEDOUT', timeoutType: 'SOCKET_TIMEOUT' }))).toBeNull();
		expect(refusedForCertain(new Error('crash'))).toBeNull();
	});
});

describe('formOriginGuard', () => {
	const guard = formOriginGuard();
	const answer = async (path: string, init: RequestInit & { headers?: Record<string, string> }) => {
		const request = new Request(`https://bazaar.example${path}`, init);
		const event = { request, url: new URL(request.url) } as Parameters<typeof guard>[0]['event'];
		const response = await guard({ event, resolve: async () => new Response('reached the route') });
		return [response.status, await response.text()];
	};
	const oneClick = { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } };

	it('lets a mail provider’s one-click POST, with no Origin or another one, reach /unsubscribe', async () => {
		expect(await answer(`/unsubscribe?u=${LEE}&t=${TOKEN}`, oneClick)).toEqual([200, 'reached the route']);
		expect(await answer('/unsubscribe', { ...oneClick, headers: { ...oneClick.headers, origin: 'https://mail.example' } })).toEqual([200, 'reached the route']);
	});

	it('refuses cross-site form posts everywhere else, as SvelteKit does, and lets same-site ones and JSON through', async () => {
		expect(await answer('/messages', oneClick)).toEqual([403, 'Cross-site POST form submissions are forbidden']);
		expect(await answer('/account', { ...oneClick, headers: { 'content-type': 'multipart/form-data; boundary=x', origin: 'https://evil.example' } })).toEqual([
			403,
			'Cross-site POST form submissions are forbidden'
		]);
		expect(await answer('/messages', { ...oneClick, headers: { ...oneClick.headers, origin: 'https://bazaar.example' } })).toEqual([200, 'reached the route']);
		expect(await answer('/messages', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).toEqual([200, 'reached the route']);
	});
});
