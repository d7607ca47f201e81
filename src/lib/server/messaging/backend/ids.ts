import { z } from 'zod';
import { MessagingError } from '$lib/messaging/errors';

const UUID = z.uuid();

/** Ids are checked before the round trip: a malformed one is the caller's mistake, not a database error. */
export function id(value: string, what: string): string {
	if (!UUID.safeParse(value).success) throw new MessagingError('invalid_input', `The ${what} id is not valid.`);
	return value;
}
