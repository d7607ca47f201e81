/** Finds runs of digits however written ("seven seven oh", "0 7 7", "9OO123"), the raw material phone numbers are read from. */

const NUMBER_WORDS = new Map<string, string>();
const WORDS_BY_LANGUAGE = [
	'zero one two three four five six seven eight nine', // EN
	'null eins zwei drei vier fünf sechs sieben acht neun', // DE
	'zéro un deux trois quatre cinq six sept huit neuf', // FR
	'cero uno dos tres cuatro cinco seis siete ocho nueve', // ES
	'zero uno due tre quattro cinque sei sette otto nove', // IT
	'nul een twee drie vier vijf zes zeven acht negen', // NL
	'zero jeden dwa trzy cztery pięć sześć siedem osiem dziewięć', // PL
	'zero um dois três quatro cinco seis sete oito nove', // PT
	'oh - - - - fuenf piec szesc - - dziewiec' // "oh" for zero; spellings without accents
];
for (const words of WORDS_BY_LANGUAGE) words.split(' ').forEach((word, digit) => word !== '-' && NUMBER_WORDS.set(word, String(digit)));
const LONGEST_WORD = Math.max(...[...NUMBER_WORDS.keys()].map((w) => w.length));
const LOOKALIKES: Record<string, string> = { o: '0', O: '0', l: '1', I: '1' };
const GLUE_WORDS = new Set(['and', 'und', 'et', 'y', 'e', 'en', 'i']);
const REPEAT_WORDS = new Map([
	['double', 2],
	['triple', 3],
	['treble', 3]
]);

interface Digits {
	digits: string;
	spelled: number;
	lookalikes: number;
	real: number;
}

/** Reads a token made only of digits, number words and O/l/I look-alikes ("seven", "0seven7", "9OO123"), or null. */
function readToken(token: string): Digits | null {
	if (/^\d+$/.test(token)) return { digits: token, spelled: 0, lookalikes: 0, real: token.length };
	const lower = token.toLowerCase();
	if (!/\d/.test(token)) {
		const digit = NUMBER_WORDS.get(lower);
		return digit ? { digits: digit, spelled: 1, lookalikes: 0, real: 0 } : null;
	}
	if (token.length > 40) return null;
	// Fewest look-alikes wins, so "one" reads as a word and not as "o" + "ne".
	const best: (Digits | null)[] = new Array(token.length + 1).fill(null);
	best[0] = { digits: '', spelled: 0, lookalikes: 0, real: 0 };
	const offer = (at: number, from: Digits, digit: string, field: 'spelled' | 'lookalikes' | 'real') => {
		const next: Digits = { digits: from.digits + digit, spelled: from.spelled, lookalikes: from.lookalikes, real: from.real };
		next[field] += 1;
		const current = best[at];
		if (!current || next.lookalikes < current.lookalikes) best[at] = next;
	};
	for (let i = 0; i < token.length; i++) {
		const from = best[i];
		if (!from) continue;
		if (token[i] >= '0' && token[i] <= '9') offer(i + 1, from, token[i], 'real');
		else if (LOOKALIKES[token[i]]) offer(i + 1, from, LOOKALIKES[token[i]], 'lookalikes');
		for (let len = 2; len <= LONGEST_WORD && i + len <= token.length; len++) {
			const digit = NUMBER_WORDS.get(lower.slice(i, i + len));
			if (digit) offer(i + len, from, digit, 'spelled');
		}
	}
	const read = best[token.length];
	return read && (read.lookalikes === 0 || read.real > 0) ? read : null;
}

/** One digit-ish token of a run; `plain` when it is nothing but digits, reached without "and" or "double". */
export interface Piece extends Digits {
	start: number;
	end: number;
	plain: boolean;
}

const TOKEN = /[\p{L}\p{N}]+/gu;
const RUN_GAP = /^[\s\-‐‑–—.,\/()+*_~|]{1,4}$/;
const HAS_DIGIT = /\d/;
const ALL_DIGITS = /^\d+$/;

/** Stretches of consecutive digit-ish tokens: "seven seven zero, zero nine …", "0 7 7 0 0 9 …", "0171 / 123 45 67". */
export function runs(text: string): Piece[][] {
	const out: Piece[][] = [];
	let run: Piece[] = [];
	let digits = 0;
	let lastEnd = 0;
	let repeat = 1;
	let glued = false;
	const close = () => {
		if (digits >= 7) out.push(run);
		run = [];
		digits = 0;
		repeat = 1;
		glued = false;
	};
	TOKEN.lastIndex = 0;
	for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
		const token = m[0];
		const end = m.index + token.length;
		const open = run.length > 0 || repeat > 1;
		const hasDigit = HAS_DIGIT.test(token);
		const lower = hasDigit || token.length > LONGEST_WORD ? token : token.toLowerCase();
		if (!hasDigit && !NUMBER_WORDS.has(lower) && !REPEAT_WORDS.has(lower) && !(open && GLUE_WORDS.has(lower))) {
			// Most words end here, at the cost of one lookup.
			if (open) close();
			lastEnd = end;
			continue;
		}
		const gap = text.slice(lastEnd, m.index);
		const last = run[run.length - 1];
		// Phone numbers never use commas, so "36, 38, 40, 42" is a list; spelled digits may be written with them.
		const connected = open && RUN_GAP.test(gap) && (!gap.includes(',') || !last?.plain || !ALL_DIGITS.test(token));
		lastEnd = end;
		if (connected && run.length && repeat === 1 && !glued && GLUE_WORDS.has(lower)) {
			glued = true;
			continue;
		}
		const repeats = REPEAT_WORDS.get(lower);
		if (repeats && repeat === 1) {
			if (!connected) close();
			repeat = repeats;
			continue;
		}
		const read = readToken(token);
		if (!read) {
			close();
			continue;
		}
		if (!connected) close();
		const plain = read.real === read.digits.length && repeat === 1 && !glued;
		const pieceDigits = repeat > 1 ? read.digits[0].repeat(repeat - 1) + read.digits : read.digits;
		const spelled = read.spelled + (repeat > 1 ? 1 : 0);
		run.push({ digits: pieceDigits, spelled, lookalikes: read.lookalikes, real: read.real, start: m.index, end, plain });
		digits += pieceDigits.length;
		repeat = 1;
		glued = false;
	}
	close();
	return out;
}
