/**
 * "now", "5 min", "14:05", "Mon", "3 Nov", "3 Nov 2025": short times for inbox rows, in one
 * fixed locale and the viewer's time zone (the browser's; UTC on the server).
 */
export function relativeTime(timestamp: string, now: Date = new Date(), timeZone?: string): string {
	const then = new Date(timestamp);
	const seconds = Math.round((now.getTime() - then.getTime()) / 1000);
	if (seconds < 45) return 'now';
	if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))} min`;
	const day = (d: Date) => new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
	if (day(then) === day(now)) return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit' }).format(then);
	if (seconds < 6 * 86400) return new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short' }).format(then);
	const sameYear = new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric' });
	return new Intl.DateTimeFormat('en-GB', {
		timeZone,
		day: 'numeric',
		month: 'short',
		...(sameYear.format(then) === sameYear.format(now) ? {} : { year: 'numeric' })
	}).format(then);
}

/** The clock time of a message, e.g. "14:05". */
export function clockTime(timestamp: string, timeZone?: string): string {
	return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit' }).format(new Date(timestamp));
}

/** "Today", "Yesterday", "Monday 3 November", "3 November 2025". */
export function dayLabel(timestamp: string, now: Date = new Date(), timeZone?: string): string {
	const key = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
	const then = new Date(timestamp);
	if (key(then) === key(now)) return 'Today';
	if (key(then) === key(new Date(now.getTime() - 86_400_000))) return 'Yesterday';
	const sameYear = then.getUTCFullYear() === now.getUTCFullYear();
	return new Intl.DateTimeFormat('en-GB', {
		timeZone,
		...(sameYear ? { weekday: 'long' } : {}),
		day: 'numeric',
		month: 'long',
		...(sameYear ? {} : { year: 'numeric' })
	}).format(then);
}
