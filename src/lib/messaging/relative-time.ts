// Intl.DateTimeFormat objects are slow to make (tens of microseconds each) and a thread lays out
// every message again each second, so each (locale, options, time zone) is made once.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string, options: Intl.DateTimeFormatOptions, timeZone: string | undefined): Intl.DateTimeFormat {
	const key = `${locale}|${timeZone ?? ''}|${JSON.stringify(options)}`;
	let made = formatters.get(key);
	if (!made) {
		made = new Intl.DateTimeFormat(locale, { ...options, timeZone });
		formatters.set(key, made);
	}
	return made;
}

/** The calendar day of an instant in a time zone (the runtime's when none is given). */
function calendarDay(d: Date, timeZone: string | undefined): { year: number; month: number; day: number } {
	const parts = formatter('en-US', { year: 'numeric', month: 'numeric', day: 'numeric' }, timeZone).formatToParts(d);
	const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
	return { year: part('year'), month: part('month'), day: part('day') };
}

function sameDay(a: { year: number; month: number; day: number }, b: { year: number; month: number; day: number }): boolean {
	return a.year === b.year && a.month === b.month && a.day === b.day;
}

/** The calendar day before `day`: by the calendar, not 24 hours back (a day with a DST change is 23 or 25 hours long). */
function dayBefore({ year, month, day }: { year: number; month: number; day: number }) {
	const d = new Date(Date.UTC(year, month - 1, day - 1));
	return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/**
 * "now", "5 min", "14:05", "Mon", "3 Nov", "3 Nov 2025": short times for inbox rows, in one
 * fixed locale and the viewer's time zone (the browser's; UTC on the server).
 */
export function relativeTime(timestamp: string, now: Date = new Date(), timeZone?: string): string {
	const then = new Date(timestamp);
	const seconds = Math.round((now.getTime() - then.getTime()) / 1000);
	if (seconds < 45) return 'now';
	// Rounded, but never "60 min": from 59.5 minutes that would outrun the hour the next case starts at.
	if (seconds < 3600) return `${Math.min(59, Math.max(1, Math.round(seconds / 60)))} min`;
	const thenDay = calendarDay(then, timeZone);
	const nowDay = calendarDay(now, timeZone);
	if (sameDay(thenDay, nowDay)) return clockTime(timestamp, timeZone);
	if (seconds < 6 * 86400) return formatter('en-GB', { weekday: 'short' }, timeZone).format(then);
	const options: Intl.DateTimeFormatOptions =
		thenDay.year === nowDay.year ? { day: 'numeric', month: 'short' } : { day: 'numeric', month: 'short', year: 'numeric' };
	return formatter('en-GB', options, timeZone).format(then);
}

/** The clock time of a message, e.g. "14:05". */
export function clockTime(timestamp: string, timeZone?: string): string {
	return formatter('en-GB', { hour: '2-digit', minute: '2-digit' }, timeZone).format(new Date(timestamp));
}

// A thread labels all its messages against one "now": its day and the day before are worked out once.
let lastNow: { time: number; timeZone: string | undefined; today: ReturnType<typeof calendarDay>; yesterday: ReturnType<typeof calendarDay> } | null =
	null;

/** "Today", "Yesterday", "Monday 3 November", "3 November 2025". */
export function dayLabel(timestamp: string, now: Date = new Date(), timeZone?: string): string {
	const then = new Date(timestamp);
	const thenDay = calendarDay(then, timeZone);
	if (lastNow?.time !== now.getTime() || lastNow.timeZone !== timeZone) {
		const today = calendarDay(now, timeZone);
		lastNow = { time: now.getTime(), timeZone, today, yesterday: dayBefore(today) };
	}
	const { today, yesterday } = lastNow;
	if (sameDay(thenDay, today)) return 'Today';
	if (sameDay(thenDay, yesterday)) return 'Yesterday';
	// The year in the viewer's time zone: late on 31 December in New York is already next year in UTC.
	const options: Intl.DateTimeFormatOptions =
		thenDay.year === today.year ? { weekday: 'long', day: 'numeric', month: 'long' } : { day: 'numeric', month: 'long', year: 'numeric' };
	return formatter('en-GB', options, timeZone).format(then);
}
