import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { messageSegments, type MessageSegment } from '../../src/lib/messaging/message-links.ts';

/**
 * How a message body splits into plain text and clickable links for the bubble: what counts as
 * a link (the same finder contact masking uses), where it opens (http:, https: or mailto: only),
 * and that the text around it comes back exactly as written.
 */

const text = (t: string): MessageSegment => ({ text: t, href: null });
const link = (t: string, href: string): MessageSegment => ({ text: t, href });
const links = (body: string) => messageSegments(body).filter((s) => s.href !== null);
const SAFE_HREF = /^(?:https?:\/\/|mailto:)/i;

describe('messageSegments', () => {
	it('leaves a message without links as one piece of text, and an empty one as nothing', () => {
		expect(messageSegments('Is it still available? I can pay €60.')).toEqual([text('Is it still available? I can pay €60.')]);
		expect(messageSegments('')).toEqual([]);
	});

	it('links every URL, "www." and plausible bare domain, a bare one over https', () => {
		expect(messageSegments('Photos: https://example.com/a?b=1 and www.shop.co.uk/item, or see example.org\nThanks')).toEqual([
			text('Photos: '),
			link('https://example.com/a?b=1', 'https://example.com/a?b=1'),
			text(' and '),
			link('www.shop.co.uk/item', 'https://www.shop.co.uk/item'),
			text(', or see '),
			link('example.org', 'https://example.org'),
			text('\nThanks')
		]);
		expect(links('HTTP://EXAMPLE.COM/X')).toEqual([link('HTTP://EXAMPLE.COM/X', 'HTTP://EXAMPLE.COM/X')]);
	});

	it('keeps trailing punctuation outside the link', () => {
		expect(messageSegments('see example.com.')).toEqual([text('see '), link('example.com', 'https://example.com'), text('.')]);
		expect(messageSegments('Is it https://example.com/item?')).toEqual([text('Is it '), link('https://example.com/item', 'https://example.com/item'), text('?')]);
		expect(messageSegments('Yes: https://example.com/a, https://example.com/b!')).toEqual([
			text('Yes: '),
			link('https://example.com/a', 'https://example.com/a'),
			text(', '),
			link('https://example.com/b', 'https://example.com/b'),
			text('!')
		]);
	});

	it('keeps brackets around a link outside it, and brackets inside a URL in it', () => {
		expect(messageSegments('(example.com)')).toEqual([text('('), link('example.com', 'https://example.com'), text(')')]);
		expect(links('(see https://en.wikipedia.org/wiki/Mouse_(computing))')).toEqual([
			link('https://en.wikipedia.org/wiki/Mouse_(computing)', 'https://en.wikipedia.org/wiki/Mouse_(computing)')
		]);
	});

	it('opens an email address as mailto:, written with or without it', () => {
		expect(messageSegments('Mail ana.b+shop@example.com, please')).toEqual([
			text('Mail '),
			link('ana.b+shop@example.com', 'mailto:ana.b+shop@example.com'),
			text(', please')
		]);
		expect(links('mailto:Ana@Example.com')).toEqual([link('mailto:Ana@Example.com', 'mailto:Ana@Example.com')]);
	});

	it('links no missing space, number or capitalised word that only looks like a domain', () => {
		for (const body of ['thanks.is it free?', 'Fits a Galaxy S23.Is it new?', 'It has 5.it fits', 'ok.so when?', 'The end.No more']) {
			expect(messageSegments(body)).toEqual([text(body)]);
		}
	});

	it('never links another scheme: javascript:, data:, ftp: and "//host" stay text', () => {
		for (const body of ['javascript:alert(1)', 'JavaScript:alert(document.cookie)', 'javascript://example.com/%0aalert(1)', 'javascript:example.com', 'data:text/html,<script>alert(1)</script>', 'ftp://example.com/file', '//example.com/x', 'vbscript:msgbox(1)']) {
			expect(messageSegments(body).map((s) => s.text).join('')).toBe(body);
			for (const segment of links(body)) expect(segment.href).toMatch(/^https:\/\//);
		}
		expect(messageSegments('javascript:alert(1)')).toEqual([text('javascript:alert(1)')]);
		expect(messageSegments('ftp://example.com/file')).toEqual([text('ftp://example.com/file')]);
	});

	it('keeps any script, emoji and right-to-left text around a link as written', () => {
		const body = 'Привет 👋 смотри https://пример.рф/товар — مرحبا www.example.com/سلام 🙂';
		expect(messageSegments(body)).toEqual([
			text('Привет 👋 смотри '),
			link('https://пример.рф/товар', 'https://пример.рф/товар'),
			text(' — مرحبا '),
			link('www.example.com/سلام', 'https://www.example.com/سلام'),
			text(' 🙂')
		]);
	});

	it('splits a 4000-character message, full of links or one long word, into all of its text', () => {
		const full = 'see example.com/item-0000 '.repeat(154).slice(0, 4000);
		const segments = messageSegments(full);
		expect(segments.map((s) => s.text).join('')).toBe(full);
		expect(segments.filter((s) => s.href)).toHaveLength(154);
		const word = 'a.b'.repeat(1334).slice(0, 4000);
		expect(messageSegments(word).map((s) => s.text).join('')).toBe(word);
	});

	it('gives back any text exactly, and only http:, https: or mailto: hrefs', () => {
		const piece = fc.constantFrom('example.com', 'www.x.org/a', 'https://a.b/c?d', 'ana@b.co', 'javascript:', 'data:', '//', '(', ')', '.', ',', ' ', '\n', 'é', '👍', 'مرحبا');
		const body = fc.oneof(fc.string(), fc.array(piece, { maxLength: 30 }).map((p) => p.join('')));
		fc.assert(
			fc.property(body, (written) => {
				const segments = messageSegments(written);
				expect(segments.map((s) => s.text).join('')).toBe(written);
				for (const { href } of segments) if (href !== null) expect(href).toMatch(SAFE_HREF);
			}),
			{ numRuns: 500 }
		);
	});
});
