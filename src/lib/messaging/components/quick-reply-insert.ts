/**
 * The message with a quick reply put where the caret is (over the selection, if any), and where
 * the caret goes: at the reply's end. The words around it stay words: "Hi Sam," then a reply read
 * "Hi Sam,Yes, it is still available" with the reply glued on; a space keeps them apart, unless
 * a space or a line break is there already.
 */
export function withQuickReply(body: string, start: number, end: number, reply: string): { body: string; caret: number } {
	const before = body.slice(0, start);
	const after = body.slice(end);
	const lead = before && !/\s$/.test(before) ? ' ' : '';
	const trail = after && !/^\s/.test(after) ? ' ' : '';
	return { body: `${before}${lead}${reply}${trail}${after}`, caret: before.length + lead.length + reply.length };
}
