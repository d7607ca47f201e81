/** Finds handles given after a messaging platform's name ("insta: ana.b", "@ana on telegram"), a way to talk off the marketplace. */

import type { ContactSpan } from './contact-details.js';
import { NOT_BEFORE_WORD } from './written-emails.js';

const PLATFORMS =
	'whats\\s?app|watsapp|telegram|tg|signal|instagram|insta|ig|snapchat|snap|facebook|fb|messenger|wechat|viber|kik|discord|skype|tiktok|' +
	'gmail|hotmail|outlook|yahoo|icloud|protonmail|gmx';
// Platform names that are also ordinary words ("good signal on 5GHz", "gmail is 15GB") need an @handle, a
// number, a colon, or a lower-case dotted name ("snap ana.b").
const AMBIGUOUS_PLATFORMS = /^(?:signal|snap|ig|tg|messenger|kik|gmail|hotmail|outlook|yahoo|icloud|protonmail|gmx)$/i;
const MAIL_PLATFORMS = /^(?:gmail|hotmail|outlook|yahoo|icloud|protonmail|gmx)$/i;
const DOTTED_NAME = /^[a-z][a-z0-9_]*(?:[._][a-z0-9_]+)+$/;
const CONNECTORS =
	'me|on|is|at|via|my|name|id|handle|username|user|account|nick|number|no|nr|add|contact|text|message|msg|dm|ist|est|es|è|jest|é|op|auf|sur|su|en|na|mich|moi|mir|per|por|pelo|il|mon|mein|meine|mi|mój|moj';
const HANDLE =
	'@[\\p{L}\\p{N}._]{2,30}' +
	'|\\+?\\d[\\d\\s().\\-]{5,20}\\d' +
	'|[\\p{L}\\p{N}_]{1,30}(?:[._][\\p{L}\\p{N}_]{1,30}){1,4}' +
	'|(?=[\\p{L}_]{0,29}\\p{N})(?=[\\p{N}_]{0,29}\\p{L})[\\p{L}\\p{N}_]{3,30}';
const SEP = '[\\s:=\\-–—,]{1,3}';
const PLATFORM_THEN_HANDLE = new RegExp(
	`(?<![\\p{L}\\p{N}])(${PLATFORMS})${NOT_BEFORE_WORD}((?:${SEP}(?:${CONNECTORS})${NOT_BEFORE_WORD}){0,4}${SEP})(${HANDLE})(?![\\p{L}\\p{N}@])`,
	'giu'
);
const HANDLE_THEN_PLATFORM = new RegExp(
	`(?<![\\p{L}\\p{N}._%+\\-])(@[\\p{L}\\p{N}._]{2,30})\\s{1,3}(?:on|auf|sur|en|su|na|op|via)\\s{1,3}(?:${PLATFORMS})${NOT_BEFORE_WORD}`,
	'giu'
);

export function handles(text: string): ContactSpan[] {
	const spans: ContactSpan[] = [];
	for (const m of text.matchAll(PLATFORM_THEN_HANDLE)) {
		const [, platform, between, rawHandle] = m;
		const handle = rawHandle.replace(/[._\s().\-]+$/, '');
		const isNumber = /^\+?\d/.test(handle);
		if (isNumber && handle.replace(/\D/g, '').length < 7) continue;
		const plain = !isNumber && !handle.startsWith('@') && !between.includes(':') && !DOTTED_NAME.test(handle);
		if (plain && AMBIGUOUS_PLATFORMS.test(platform)) continue;
		const start = m.index + platform.length + between.length;
		const kind = isNumber ? 'phone' : MAIL_PLATFORMS.test(platform) ? 'email' : 'link';
		spans.push({ start, end: start + handle.length, kind });
	}
	for (const m of text.matchAll(HANDLE_THEN_PLATFORM)) {
		const handle = m[1].replace(/[._]+$/, '');
		spans.push({ start: m.index, end: m.index + handle.length, kind: 'link' });
	}
	return spans;
}
