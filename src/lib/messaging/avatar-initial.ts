// One per process: building a segmenter costs more than segmenting a name.
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The first character of a name as a person sees it, for an avatar without a photo: a whole emoji,
 * flag or accented letter ("🦄", "🇫🇷", "É"), never half of one (slicing UTF-16 showed "�"). Letters
 * are uppercased; one that uppercases into two ("ß" into "SS") stays as it is.
 */
export function avatarInitial(name: string): string {
	const first = graphemes.segment(name.trim())[Symbol.iterator]().next().value?.segment ?? '';
	if (!/^\p{L}/u.test(first)) return first;
	const upper = first.toUpperCase();
	return [...graphemes.segment(upper)].length === 1 ? upper : first;
}
