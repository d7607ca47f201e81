/**
 * A string as an SQL literal, exactly as pg.escapeLiteral writes it (quotes doubled; with a
 * backslash, doubled backslashes in an E'' literal), but in one piece. pg's version appends
 * character by character, so V8 holds the result as a rope of one node per character: a
 * 4,000-character message became 4,000 small objects on every send, and the claims literal a
 * request keeps (about 200) stayed alive with every open event stream.
 */
export function sqlText(value: string): string {
	const quoted = `'${value.replaceAll("'", "''").replaceAll('\\', '\\\\')}'`;
	return value.includes('\\') ? ` E${quoted}` : quoted;
}
