/**
 * Whether a message body has nothing to show: the database's rule, so that the composer refuses up
 * front what `send_message` would refuse as empty, rather than leave a "Not sent" bubble that
 * can never be sent. The twin of `private.clean_body` and `private.is_blank` in
 * supabase/migrations (`*_messaging_bidi_overrides.sql`, `*_messaging_one_send_per_id.sql`);
 * tests/db/blank-body.test.ts holds the two to the same answer.
 */

// clean_body removes C0 and C1 control characters (tab and line breaks aside) before anything else,
// and the bidirectional controls, which INVISIBLE below counts already; NUL never reaches it (the
// send action's schema drops it), so a body of NULs alone is blank too.
const CONTROL = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]/g;

// is_blank's set: [[:space:]], which PostgreSQL's builtin C.UTF-8 locale reads as Unicode's
// White_Space, and the invisible format characters (zero-width spaces and joiners, BOM, bidi
// controls, variation selectors, Hangul fillers).
const INVISIBLE = /[\p{White_Space}\u00AD\u034F\u061C\u115F\u1160\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0]/gu;

export function isBlankBody(text: string): boolean {
	return text.replace(CONTROL, '').replace(INVISIBLE, '') === '';
}
