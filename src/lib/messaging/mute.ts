/**
 * Whether a conversation is muted at `now`. "Until I unmute" is stored as PostgreSQL's
 * `infinity`, which arrives as that word, not a date.
 */
export function isMuted(mutedUntil: string | null, now: Date): boolean {
	if (mutedUntil === null) return false;
	if (mutedUntil === 'infinity') return true;
	return Date.parse(mutedUntil) > now.getTime();
}
