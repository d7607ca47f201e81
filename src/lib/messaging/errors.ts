/**
 * Mistakes a person can make, as the RPCs report them (SQLSTATE BZ001, kind in HINT).
 * They are expected outcomes, shown in place; anything else is a bug.
 */
export const MESSAGING_ERROR_STATUS = {
	not_authenticated: 401,
	invalid_input: 400,
	body_empty: 400,
	body_too_long: 400,
	self_conversation: 400,
	product_seller_mismatch: 400,
	not_found: 404,
	not_member: 404,
	not_allowed: 403,
	blocked: 403,
	you_blocked: 403,
	message_deleted: 409,
	conflict: 409,
	rate_limited: 429,
	/** Contact masking is on and the server could not screen the text (not set up to, or the setting just changed). */
	screening_required: 503,
	/** The database cannot be reached: nothing was done, and trying again later is the answer. */
	unavailable: 503
} as const;

export type MessagingErrorCode = keyof typeof MESSAGING_ERROR_STATUS;

export class MessagingError extends Error {
	readonly status: number;
	constructor(
		readonly code: MessagingErrorCode,
		message: string
	) {
		super(message);
		this.name = 'MessagingError';
		this.status = MESSAGING_ERROR_STATUS[code];
	}
}

export function isMessagingErrorCode(value: unknown): value is MessagingErrorCode {
	return typeof value === 'string' && Object.hasOwn(MESSAGING_ERROR_STATUS, value);
}

/**
 * What a request refused for want of the database is told. It does not say "retrying": a page
 * or a send that retries by itself says so in its own words, and a menu action does not retry.
 */
export const UNAVAILABLE_MESSAGE = 'Messages are unavailable right now. Try again in a moment.';

/** Node's network errors and PostgreSQL's "connection" and "shutting down" classes: the database is not there. */
const UNREACHABLE = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|EPIPE|EAI_AGAIN|08\w{3}|57P0[123])$/;

/**
 * Whether an error means the database could not be reached (refused, reset, shutting down,
 * or a connection lost mid-query), rather than that it refused the request.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
	if (!(error instanceof Error)) return false;
	const code = (error as { code?: unknown }).code;
	if (typeof code === 'string' && UNREACHABLE.test(code)) return true;
	if (error instanceof AggregateError) return error.errors.some(isDatabaseUnavailable);
	return /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|Query read timeout|fetch failed/i.test(error.message);
}

/** Why text with a NUL character is refused: PostgreSQL's text cannot hold one. */
export const NUL_IN_TEXT = 'Text cannot contain NUL characters.';

/** The SQLSTATE our RPCs raise user errors with. */
export const USER_ERROR_SQLSTATE = 'BZ001';

/**
 * Turns a database error (pg's or PostgREST's: both carry code, message, hint) into a
 * MessagingError when a person caused it; null for anything else.
 */
export function messagingErrorFrom(error: { code?: string; message?: string; hint?: string | null }): MessagingError | null {
	if (error.code === USER_ERROR_SQLSTATE && isMessagingErrorCode(error.hint)) {
		return new MessagingError(error.hint, error.message ?? 'Something went wrong.');
	}
	// A malformed uuid or timestamp that slipped past the TypeScript checks (22009: a time zone
	// offset past ±15:59, such as "-23:59", which JavaScript's Date reads).
	if (error.code === '22P02' || error.code === '22007' || error.code === '22008' || error.code === '22009') {
		return new MessagingError('invalid_input', 'Some of what was sent is not valid.');
	}
	// No execute right (anon), or PostgREST refusing an expired or invalid JWT.
	if (error.code === '42501' || error.code === 'PGRST301' || error.code === 'PGRST302') {
		return new MessagingError('not_authenticated', 'Sign in to use messages.');
	}
	return null;
}
