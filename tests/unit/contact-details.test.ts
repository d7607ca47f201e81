import { describe, expect, it } from 'vitest';
import { findContactDetails, hideContactDetails, HIDDEN_CONTACT } from '../../src/lib/server/messaging/contact/contact-details.ts';

/** [message, the contact in it that must disappear] */
const MUST_HIDE: [string, string][] = [
	// UK
	['Call me on +44 7700 900123 tomorrow', '+44 7700 900123'],
	['my mobile is 07700 900123 if easier', '07700 900123'],
	['ring me 07700900123 after 6', '07700900123'],
	['text 0044 7700 900123 pls', '0044 7700 900123'],
	["It's 020 7946 0018, ask for Sam", '020 7946 0018'],
	['+44 20 7946 0018 is the shop line', '+44 20 7946 0018'],
	['Landline 0161 496 0000 evenings only', '0161 496 0000'],
	// Two numbers after one cue: the second whole, not only its first group
	['call 0171 1234567 / 0171 7654321', '0171 7654321'],
	['ring 07700 900123 07700 900124', '07700 900124'],
	['07700-900-123 is my number', '07700-900-123'],
	['07700 900 123 whatsapp only mate', '07700 900 123'],
	// US
	['Call (415) 555-2671 anytime', '(415) 555-2671'],
	['my cell is 415.555.2671', '415.555.2671'],
	['text me at 415-555-2671 and I will send pics', '415-555-2671'],
	['+1 415 555 2671 is my number', '+1 415 555 2671'],
	['Reach me at 212-555-0199 after work', '212-555-0199'],
	['my number is 2015550123', '2015550123'],
	['1-415-555-2671 call or text', '415-555-2671'],
	// DE
	['+49 30 901820 ist die Nummer vom Laden', '+49 30 901820'],
	['Ruf mich an: 0171 1234567', '0171 1234567'],
	['Handy 0171/1234567, ab 18 Uhr', '0171/1234567'],
	['Meine Nummer: 0151 23456789', '0151 23456789'],
	['Erreichbar unter 030 901820', '030 901820'],
	['0049 171 1234567 bitte per SMS', '0049 171 1234567'],
	// FR
	['Appelez-moi au 06 12 34 56 78', '06 12 34 56 78'],
	['mon numéro : 06.12.34.56.78', '06.12.34.56.78'],
	['+33 6 12 34 56 78 après 18h', '+33 6 12 34 56 78'],
	['Tél 01 23 45 67 89 le soir', '01 23 45 67 89'],
	['Contactez 0033 612345678', '0033 612345678'],
	// NL
	['Bel me op 0612345678', '0612345678'],
	['mijn nummer is 06-12345678', '06-12345678'],
	['+31 6 12345678 (WhatsApp)', '+31 6 12345678'],
	['Bereikbaar op 020 123 4567', '020 123 4567'],
	// ES
	['Llámame al 612 345 678', '612 345 678'],
	['mi móvil es +34 612 345 678', '+34 612 345 678'],
	['Whatsapp 612345678 gracias', '612345678'],
	['teléfono 91 123 45 67 por las tardes', '91 123 45 67'],
	// IT
	['Chiamami al 312 345 6789', '312 345 6789'],
	['il mio cellulare è +39 312 345 6789', '+39 312 345 6789'],
	['scrivimi al 333 1234567', '333 1234567'],
	['Tel. 06 1234 5678 (Roma)', '06 1234 5678'],
	// IE
	['Call me on 085 012 3456', '085 012 3456'],
	['+353 85 012 3456 is my mobile', '+353 85 012 3456'],
	// PL
	['Zadzwoń pod 512 345 678', '512 345 678'],
	['mój numer to +48 512 345 678', '+48 512 345 678'],
	['tel. 512-345-678, pozdrawiam', '512-345-678'],
	// SE
	['Ring mig på 070-123 45 67', '070-123 45 67'],
	['+46 70 123 45 67 efter kl 17', '+46 70 123 45 67'],
	// AU
	['Call me on 0412 345 678', '0412 345 678'],
	['+61 412 345 678 is my mobile', '+61 412 345 678'],
	['Sydney landline (02) 9876 5432', '(02) 9876 5432'],
	// IN
	['Call me 98765 43210', '98765 43210'],
	['My number is +91 98765 43210', '+91 98765 43210'],
	['whatsapp 9876543210 sir', '9876543210'],
	// BR
	['Me liga no (11) 96123-4567', '(11) 96123-4567'],
	['meu zap é +55 11 96123-4567', '+55 11 96123-4567'],
	['celular 11 96123 4567', '11 96123 4567'],
	// Emails
	['Email me at ana@example.com', 'ana@example.com'],
	['ana.b+shop@example.co.uk works too', 'ana.b+shop@example.co.uk'],
	['Schreib mir: max.mustermann@gmx.de', 'max.mustermann@gmx.de'],
	['mon email: jean-luc@orange.fr', 'jean-luc@orange.fr'],
	['correo: maria_garcia@hotmail.es', 'maria_garcia@hotmail.es'],
	['Contact: ANA@EXAMPLE.COM', 'ANA@EXAMPLE.COM'],
	['write to mailto:ana@example.com please', 'mailto:ana@example.com'],
	['piotr.nowak@wp.pl - napisz', 'piotr.nowak@wp.pl'],
	['mijn mail is jan@ziggo.nl', 'jan@ziggo.nl'],
	// Links
	['See www.example.com for more photos', 'www.example.com'],
	['More pics: https://x.co/abc', 'https://x.co/abc'],
	['cheaper on example.com/shop', 'example.com/shop'],
	['msg me wa.me/447700900123', 'wa.me/447700900123'],
	['join t.me/handle for deals', 't.me/handle'],
	['http://bit.ly/3xYz12 here', 'http://bit.ly/3xYz12'],
	['follow https://www.instagram.com/ana_b/', 'https://www.instagram.com/ana_b/'],
	['check mystore.de for the price', 'mystore.de'],
	['facebook.com/ana.b has more', 'facebook.com/ana.b'],
	// Written-out emails
	['ana at example dot com', 'ana at example dot com'],
	['ana [at] example [dot] com', 'ana [at] example [dot] com'],
	['mail ana(at)example(dot)com', 'ana(at)example(dot)com'],
	['ana @ example . com', 'ana @ example . com'],
	['just email ana at gmail', 'ana at gmail'],
	['write ana.b at gmail dot com', 'ana.b at gmail dot com'],
	['mail: ana(at)gmail(dot)com', 'ana(at)gmail(dot)com'],
	['escríbeme maria arroba gmail punto com', 'maria arroba gmail punto com'],
	['mail jan apenstaartje ziggo punt nl', 'jan apenstaartje ziggo punt nl'],
	['scrivi a marco chiocciola libero punto it', 'marco chiocciola libero punto it'],
	['ana at hotmail dot co dot uk', 'ana at hotmail dot co dot uk'],
	['piszcie piotr małpa wp kropka pl', 'piotr małpa wp kropka pl'],
	['ana {at} example {dot} com', 'ana {at} example {dot} com'],
	['ana [at] gmail.com', 'ana [at] gmail.com'],
	['ana @ gmail is best', 'ana @ gmail'],
	['ana_b at yahoo', 'ana_b at yahoo'],
	['schreib an max (at) web (dot) de', 'max (at) web (dot) de'],
	// Written-out domains
	['go to example dot com', 'example dot com'],
	['visit example dot co dot uk', 'example dot co dot uk'],
	['example(dot)com has it cheaper', 'example(dot)com'],
	['shop [dot] example [dot] com', 'shop [dot] example [dot] com'],
	['www dot example dot com', 'www dot example dot com'],
	['mein shop punkt de', 'shop punkt de'],
	// Spelled, spaced and disguised digits
	['seven seven zero zero nine zero zero one two three', 'seven seven zero zero nine zero zero one two three'],
	['call me: oh seven seven double oh nine double oh one two three', 'oh seven seven double oh nine double oh one two three'],
	['0 7 7 0 0 9 0 0 1 2 3', '0 7 7 0 0 9 0 0 1 2 3'],
	['my num O77OO 9OO123', 'O77OO 9OO123'],
	['0seven7 00 900 1two3', '0seven7 00 900 1two3'],
	['seven, seven, zero, zero, nine, zero, zero, one, two, three', 'seven, seven, zero, zero, nine, zero, zero, one, two, three'],
	['null eins sieben eins, eins zwei drei vier fünf sechs sieben', 'null eins sieben eins, eins zwei drei vier fünf sechs sieben'],
	['zéro six un deux trois quatre cinq six sept huit', 'zéro six un deux trois quatre cinq six sept huit'],
	['seis uno dos tres cuatro cinco seis siete ocho', 'seis uno dos tres cuatro cinco seis siete ocho'],
	['tre tre tre uno due tre quattro cinque sei sette', 'tre tre tre uno due tre quattro cinque sei sette'],
	['nul zes een twee drie vier vijf zes zeven acht', 'nul zes een twee drie vier vijf zes zeven acht'],
	['four one five - five five five - two six seven one', 'four one five - five five five - two six seven one'],
	['O612 345 678', 'O612 345 678'],
	['0 6 1 2 3 4 5 6 7 8 bel me', '0 6 1 2 3 4 5 6 7 8'],
	['seven seven zero zero and nine zero zero one two three', 'seven seven zero zero and nine zero zero one two three'],
	['zero um um nove seis um dois três quatro cinco', 'zero um um nove seis um dois três quatro cinco'],
	// Handles next to a platform word
	['my insta is @ana_b', '@ana_b'],
	['telegram: @ana', '@ana'],
	['snap: ana.b', 'ana.b'],
	['whatsapp me on 07700 900123', '07700 900123'],
	['add me on snapchat: ana_b99', 'ana_b99'],
	['Discord: ana.b_77', 'ana.b_77'],
	['Instagram @ana.b.vintage', '@ana.b.vintage'],
	['@ana_b on insta', '@ana_b'],
	['find me on telegram @ana_b', '@ana_b'],
	['skype: ana.b.live', 'ana.b.live'],
	['tiktok @anab_shop', '@anab_shop'],
	['viber 0171 1234567', '0171 1234567'],
	['WhatsApp: +34 612 345 678', '+34 612 345 678'],
	['wechat id ana_b2024', 'ana_b2024'],
	['mein Insta ist @ana_b', '@ana_b'],
	['mon snap: ana.b', 'ana.b'],
	['fb is ana.b.92', 'ana.b.92'],
	['my tg is @ana_b', '@ana_b'],
	['gmail: ana.b', 'ana.b'],
	// Look-alike and invisible characters
	['mi número ０７７００ ９００１２３', '０７７００ ９００１２３'],
	['call ९८७६५ ४३२१० anytime', '९८७६५ ४३२१०'],
	['ana＠gmail.com', 'ana＠gmail.com'],
	['07700\u200b900123 is me', '07700\u200b900123'],
	['email: ana . b @ gmail . com', 'ana . b @ gmail . com'],
	['ana dot b at gmail dot com', 'ana dot b at gmail dot com']
];

/** Messages a buyer and seller must be able to exchange untouched. */
const MUST_KEEP: string[] = [
	// Prices
	'€120',
	'Is 120.00 ok?',
	"£1,250 and it's yours",
	'$ 1 299 firm',
	'1 500 kr',
	'120 EUR',
	'Can you do 95?',
	'Would you take 1.250,00 €?',
	'R$ 1.299,90 à vista',
	'₹45,000 final price',
	'Rs. 1,25,000 negotiable',
	'Cena 1250 zł do negocjacji',
	'$1,299 OBO',
	'$1,250 AUD including the stand',
	'Preis 120 €, VB',
	'Je peux faire 180 euros',
	'te lo dejo en 1.200 euros',
	'Prezzo 80 euro trattabile',
	'Prijs €75, ophalen in 1012 AB Amsterdam',
	'Price is 12 500 000 PLN for the whole lot',
	'I paid 1 250 000 for the flat in 2010',
	'asking 2 500 000 ₹ for the plot',
	// Dates and times
	'12/05/2026',
	'2026-12-05',
	'5 Dec',
	'at 14:30',
	'10:00-12:00',
	'Tuesday 3pm',
	'am 12.05.2026 um 14 Uhr',
	'le 05/12/2026 à 18h30',
	'Treffen um 14:30 am Bahnhof',
	'RDV à 18h30 devant la gare',
	'quedamos a las 17:30',
	'ophalen om 19:00',
	'ci vediamo alle 18:00',
	'available 12.05.2026 - 15.05.2026',
	'pickup 2026-05-12 or 2026-05-13',
	// Sizes and measures
	'EU 42',
	'size 38-40',
	'120 x 80 x 75 cm',
	'W32 L34',
	'1920x1080',
	'2.5 kg',
	'5,5 m²',
	'sizes 36, 38, 40, 42, 44 available',
	'200 x 90 x 45 cm, 35 kg',
	'Größe 42, neu',
	'Maße 120 x 80 cm',
	'Baujahr 2019, 85.000 km',
	'taille 38',
	'talla 40',
	'maat 42',
	'rozmiar 38',
	'taglia 44',
	'Dimensions: 1200 x 600 x 18 mm',
	'Battery 5000 mAh',
	'2018 Honda Civic, 45,000 miles',
	// Labelled numbers
	'order #123456789',
	'Order 2026-000123',
	'SKU 4006381333931',
	'model A1234',
	'ref 556677',
	'IBAN DE89 3704 0044 0532 0130 00',
	'IBAN: GB33BUKB20201555555555',
	'tracking 1Z999AA10123456784',
	'Sendungsnummer 00340434161094042557',
	'invoice no. 2026001234',
	'ISBN 978-3-16-148410-0',
	'EAN 5901234123457',
	'IMEI 356938035643809',
	'numéro de commande 123456789',
	'Bestellnummer: 302-1234567-1234567',
	'pedido 123456789 enviado',
	'item 265512345678 on ebay',
	'booking ref ABC123456',
	'Artikelnummer 123456789',
	'Order 12345678 shipped, tracking 1Z999AA10123456784',
	'Reference: 2024/12345/678',
	'Serial number C02XK0XJJG5H',
	// Years and quantities
	'from 1998',
	'1990s',
	'bought in 2019, used 2 years',
	'2 of them',
	'3 pcs',
	// "at" and "dot" in ordinary speech
	'meet at the station',
	'at 5',
	'look at this',
	"I'm at work until 6",
	'we can meet at Tesco',
	'I work at Yahoo',
	'see you at live music night',
	'polka dot dress',
	'on the dot at 5',
	'red dot sight included',
	'the point is, it is worth 200',
	'el punto de encuentro es la estación',
	'Le point de rendez-vous est la gare',
	'C@T toy',
	// Versions and product codes
	'iOS 17.2.1',
	'firmware 2.14.0',
	'RTX 4090',
	'iPhone 15 Pro 256GB',
	'Galaxy S23 Ultra 512GB',
	'Canon EOS 5D Mark IV',
	// Postcodes
	'SW1A 1AA',
	'75001 Paris',
	'10115 Berlin',
	'odbiór 00-950 Warszawa',
	'pickup Sydney NSW 2000',
	'CEP 01310-100 São Paulo',
	'Mumbai 400001',
	'envío a 28013 Madrid',
	'zip 90210',
	// Short numbers
	'call me in 5 minutes',
	'room 101',
	'flat 4, house 22',
	'Page 12 of 20',
	'Bus 73 then tram 12',
	// Missing spaces that look like domains
	'thanks.is it still available?',
	'Samsung S23.Is it ok',
	'done.No problem',
	"see you at 5.it's fine",
	// Platform words without a handle
	'my instagram is private',
	'can we talk on whatsapp?',
	"I don't use telegram",
	'good signal on 5GHz',
	'snap a photo for me',
	'I saw it on facebook marketplace',
	'posted on fb 2 days ago',
	'my phone number is on my profile',
	'Mi número está en el perfil',
	// Counting and small talk
	'one or two of them',
	'three, four or five pieces',
	'I have two 2.5 kg weights',
	// Digits that only a permissive numbering plan would call a phone number
	'sizes 36 38 40 42 44',
	'population 15 000 000',
	'seasons 2019 2020 2021',
	'Born 12 05 1990',
	'open 0900-1700',
	"I'll transfer £85 now, sort code 20-00-00 account 12345678",
	'gmail is 15GB',
	'Tracking: JD014600003828371122',
	'Order number: 112-1234567-1234567',
	'Mileage 120 000 km, first reg 2015',
	'From 1.1.2024 to 31.12.2024',
	'Price dropped from 1 200 to 999',
	'ASIN B08N5WRWNW, 4.5 stars',
	'Listing #987654321'
];

function covers(text: string, contact: string): boolean {
	const from = text.indexOf(contact);
	return findContactDetails(text).some((s) => s.start <= from && s.end >= from + contact.length);
}

describe('findContactDetails and hideContactDetails', () => {
	it('have enough cases each way', () => {
		expect(MUST_HIDE.length).toBeGreaterThanOrEqual(110);
		expect(MUST_KEEP.length).toBeGreaterThanOrEqual(110);
	});

	it.each(MUST_HIDE)('hide the contact in %j', (text, contact) => {
		expect(text).toContain(contact);
		expect(covers(text, contact)).toBe(true);
		const hidden = hideContactDetails(text);
		expect(hidden.hidden).toBe(true);
		expect(hidden.text).toContain(HIDDEN_CONTACT);
		expect(hidden.text).not.toContain(contact);
		const digits = contact.replace(/\D/g, '');
		if (digits.length >= 4) expect(hidden.text.replace(/\D/g, '')).not.toContain(digits);
		const local = /^([^\s@[({]+)\s*(?:@|[[({]\s*at\s*[\])}]|\s(?:at|arroba|chiocciola|małpa|apenstaartje)\s)/i.exec(contact)?.[1];
		if (local) expect(hidden.text).not.toContain(local);
	});

	it.each(MUST_KEEP)('keep %j as written', (text) => {
		expect(hideContactDetails(text)).toEqual({ text, hidden: false });
	});

	it('keep the text around a contact exactly', () => {
		expect(hideContactDetails('Call me on +44 7700 900123 tomorrow')).toEqual({
			text: `Call me on ${HIDDEN_CONTACT} tomorrow`,
			hidden: true
		});
	});

	it('hide every contact in a message, in order and without overlaps', () => {
		const text = 'Hi! Call +44 7700 900123 or mail ana@example.com, insta @ana_b. Price €120, pickup 12/05.';
		const spans = findContactDetails(text);
		expect(spans.map((s) => [text.slice(s.start, s.end), s.kind])).toEqual([
			['+44 7700 900123', 'phone'],
			['ana@example.com', 'email'],
			['@ana_b', 'link']
		]);
		for (let i = 1; i < spans.length; i++) expect(spans[i].start).toBeGreaterThan(spans[i - 1].end);
		expect(hideContactDetails(text).text).toBe(
			`Hi! Call ${HIDDEN_CONTACT} or mail ${HIDDEN_CONTACT}, insta ${HIDDEN_CONTACT}. Price €120, pickup 12/05.`
		);
	});

	it('leave the digits next to a number that are not part of it', () => {
		expect(hideContactDetails('Size 42 0612345678')).toEqual({ text: `Size 42 ${HIDDEN_CONTACT}`, hidden: true });
		expect(hideContactDetails('12.05.2026 0612345678')).toEqual({ text: `12.05.2026 ${HIDDEN_CONTACT}`, hidden: true });
		expect(hideContactDetails('0171 1234567 / 0171 7654321')).toEqual({ text: `${HIDDEN_CONTACT} / ${HIDDEN_CONTACT}`, hidden: true });
	});

	it('merge overlapping finds into one replacement', () => {
		const text = 'write ana at gmail dot com today';
		expect(findContactDetails(text)).toEqual([{ start: 6, end: 26, kind: 'email' }]);
		expect(hideContactDetails(text).text).toBe(`write ${HIDDEN_CONTACT} today`);
	});

	it('give a link or an address as where and what, the same shape as every other find', () => {
		expect(findContactDetails('see https://example.com or ana@example.com')).toEqual([
			{ start: 4, end: 23, kind: 'link' },
			{ start: 27, end: 42, kind: 'email' }
		]);
	});

	it('return sorted, non-overlapping spans for every case', () => {
		for (const [text] of MUST_HIDE) {
			const spans = findContactDetails(text);
			for (const s of spans) expect(s.end).toBeGreaterThan(s.start);
			for (let i = 1; i < spans.length; i++) expect(spans[i].start).toBeGreaterThan(spans[i - 1].end);
		}
	});

	it('find nothing in an empty message', () => {
		expect(findContactDetails('')).toEqual([]);
		expect(hideContactDetails('')).toEqual({ text: '', hidden: false });
	});

	it('handle a 5,000-character message', () => {
		const line = 'Still available? I can pay €120 on 12/05 at 14:30, size 38-40. Mail ana@example.com or call 0612345678. ';
		const text = line.repeat(Math.ceil(5000 / line.length)).slice(0, 5000);
		const whole = Math.floor(5000 / line.length);
		const spans = findContactDetails(text);
		expect(spans.length).toBeGreaterThanOrEqual(whole * 2);
		const hidden = hideContactDetails(text).text;
		expect(hidden).not.toContain('ana@example.com');
		expect(hidden).not.toContain('0612345678');
		expect(hidden.split('€120').length).toBe(text.split('€120').length);
	});

	it.each([
		['a'.repeat(20000) + '@'],
		['a@'.repeat(10000)],
		['1 '.repeat(10000)],
		['a.'.repeat(10000)],
		[' at '.repeat(5000) + 'x'],
		['(' + ' dot '.repeat(4000)],
		['whatsapp '.repeat(2000) + '@'],
		['0612345678 '.repeat(1000)],
		['01 02 03 04 05 06 07 08 09 '.repeat(300)],
		['1'.repeat(20000)]
	])('return quickly on a pathological message (%#)', (text) => {
		const started = performance.now();
		findContactDetails(text);
		expect(performance.now() - started).toBeLessThan(2000);
	}, 2000);
});

describe('hideContactDetails reads as a sentence', () => {
	const H = HIDDEN_CONTACT;
	// A contact as typed, pasted from a phone (which wraps a number or an address in direction marks,
	// U+202A … U+202C), and copied from a page with a zero-width space before it.
	const forms = (template: string) => [
		template.replace(/[{}]/g, ''),
		template.replace(/\{/g, '\u202a').replace(/\}/g, '\u202c'),
		template.replace(/\{/g, '\u200b').replace(/\}/g, '')
	];

	it.each([
		['a phone at the end', 'call me at {+44 7700 900123}', `call me at ${H}`],
		['a phone at the start', '{+44 7700 900123} is my mobile', `${H} is my mobile`],
		['an email before a comma', 'email {ana@example.com}, or call', `email ${H}, or call`],
		['a link before a comma', 'more at {https://example.com/shop}, all sizes', `more at ${H}, all sizes`],
		['an email before a full stop', 'write to {mailto:ana@example.com}.', `write to ${H}.`],
		['a link between doubled spaces', 'see  {https://x.co/abc}  for more', `see ${H} for more`],
		['a phone in brackets', 'call me ({07700 900123}), thanks', `call me ${H}, thanks`],
		['an email in square brackets', 'write [{ana@example.com}] today', `write ${H} today`],
		['a phone and an email side by side', 'reach me: {07700 900123} {ana@example.com}', `reach me: ${H}`],
		['a phone on a line of its own', 'Phone:\n{07700 900123}\nThanks!', `Phone:\n${H}\nThanks!`]
	])('%s, typed or pasted', (_, template, hidden) => {
		for (const text of forms(template)) expect(hideContactDetails(text), JSON.stringify(text)).toEqual({ text: hidden, hidden: true });
	});

	it('adds no doubled space, space before punctuation or doubled bracket to any case, typed or pasted, and leaves no invisible mark', () => {
		// What the writer typed themselves ("mon numéro : …") is theirs to keep.
		const flaws = (text: string) => text.match(/\s\s|\s[,.;:!?)]|\(\(|\)\)/g)?.length ?? 0;
		for (const [text, contact] of MUST_HIDE) {
			for (const written of forms(text.replace(contact, `{${contact}}`))) {
				const hidden = hideContactDetails(written).text;
				expect(flaws(hidden), `${JSON.stringify(written)} -> ${hidden}`).toBeLessThanOrEqual(flaws(text));
				expect(hidden).not.toMatch(/[\u200b\u202a-\u202c]/);
			}
		}
	});
});
