// Intl.DateTimeFormat objects are slow to make (tens of microseconds each) and a thread lays out
// every message again each second, so each (locale, options, time zone) is made once. The
// options are the constants below, so they key the cache as they are.
const formatters = new Map<Intl.DateTimeFormatOptions, Map<string, Intl.DateTimeFormat>>();

const SHORT_WEEKDAY: Intl.DateTimeFormatOptions = { weekday: 'short' };
const SHORT_DATE: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short' };
const SHORT_DATE_YEAR: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short', year: 'numeric' };
const LONG_DATE: Intl.DateTimeFormatOptions = { weekday: 'long', day: 'numeric', month: 'long' };
const LONG_DATE_YEAR: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'long', year: 'numeric' };

// Where no zone is given: the runtime's own in the browser; on the server, the one the request's
// viewer sent (renderTimesIn), so the server's HTML shows the times hydration will.
let viewerZone: () => string | undefined = () => undefined;

/** For the server: where the viewer's time zone is read during rendering (undefined: the runtime's). */
export function renderTimesIn(source: () => string | undefined) {
	viewerZone = source;
}

function formatter(locale: string, options: Intl.DateTimeFormatOptions, timeZone: string): Intl.DateTimeFormat {
	let byZone = formatters.get(options);
	if (!byZone) formatters.set(options, (byZone = new Map()));
	const key = `${locale}|${timeZone}`;
	let made = byZone.get(key);
	if (!made) {
		made = new Intl.DateTimeFormat(locale, { ...options, timeZone });
		byZone.set(key, made);
	}
	return made;
}

// A zone's offset from UTC holds for months, and zones change it on a quarter hour of UTC. Reading
// an instant's wall clock through Intl (formatToParts) takes about 10 µs, and a thread page on the
// server reads the day and time of every message in the viewer's zone: so each zone's offset is
// measured once for each quarter hour that instants fall in, and kept.
const QUARTER_HOUR = 15 * 60_000;
const WALL_CLOCK: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' };
const offsets = new Map<string, Map<number, number>>();
let keptOffsets = 0;
const MAX_KEPT_OFFSETS = 20_000;

/** The zone's offset (ms) at an instant, from Intl. */
function measuredOffset(time: number, timeZone: string): number {
	const parts = formatter('en-US', WALL_CLOCK, timeZone).formatToParts(new Date(time));
	const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
	const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour') % 24, part('minute'), part('second'));
	return wall - Math.floor(time / 1000) * 1000;
}

function offsetAt(time: number, timeZone: string): number {
	const quarter = Math.floor(time / QUARTER_HOUR);
	let byQuarter = offsets.get(timeZone);
	let offset = byQuarter?.get(quarter);
	if (offset !== undefined) return offset;
	const start = quarter * QUARTER_HOUR;
	offset = measuredOffset(start, timeZone);
	// Kept only when it holds to the quarter's end; a zone that changed inside one is asked each time.
	if (offset !== measuredOffset(start + QUARTER_HOUR - 1000, timeZone)) return measuredOffset(time, timeZone);
	if (keptOffsets >= MAX_KEPT_OFFSETS) {
		offsets.clear();
		keptOffsets = 0;
		byQuarter = undefined;
	}
	if (!byQuarter) offsets.set(timeZone, (byQuarter = new Map()));
	byQuarter.set(quarter, offset);
	keptOffsets++;
	return offset;
}

/**
 * An instant's wall clock as a Date whose UTC fields are its date and time in the zone (the
 * runtime's own when none is given, read from Date's local fields).
 */
function wallClock(d: Date, timeZone: string | undefined): Date {
	if (timeZone !== undefined) return new Date(d.getTime() + offsetAt(d.getTime(), timeZone));
	return new Date(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()));
}

/** An instant formatted in a time zone: its wall clock there, formatted as UTC, so every label agrees with calendarDay. */
function format(options: Intl.DateTimeFormatOptions, d: Date, timeZone: string | undefined): string {
	return formatter('en-GB', options, 'UTC').format(wallClock(d, timeZone));
}

/** The calendar day of an instant in a time zone (the runtime's when none is given). */
function calendarDay(d: Date, timeZone: string | undefined): { year: number; month: number; day: number } {
	if (timeZone === undefined) return { year: d.getFullYear(), month: d.getMonth() + 1, day: d.getDate() };
	const wall = wallClock(d, timeZone);
	return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
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
 * fixed locale and the viewer's time zone (the browser's; on the server, the one it was told).
 */
export function relativeTime(timestamp: string, now: Date = new Date(), timeZone = viewerZone()): string {
	const then = new Date(timestamp);
	const seconds = Math.round((now.getTime() - then.getTime()) / 1000);
	if (seconds < 45) return 'now';
	// Rounded, but never "60 min": from 59.5 minutes that would outrun the hour the next case starts at.
	if (seconds < 3600) return `${Math.min(59, Math.max(1, Math.round(seconds / 60)))} min`;
	const thenDay = calendarDay(then, timeZone);
	const nowDay = calendarDay(now, timeZone);
	if (sameDay(thenDay, nowDay)) return clockTime(timestamp, timeZone);
	if (seconds < 6 * 86400) return format(SHORT_WEEKDAY, then, timeZone);
	return format(thenDay.year === nowDay.year ? SHORT_DATE : SHORT_DATE_YEAR, then, timeZone);
}

/**
 * When someone was last seen, worded to follow "Last seen": "just now", "5 min ago", "at 14:05"
 * (earlier today), "yesterday at 21:40", "on Mon", "on 3 Nov". relativeTime's inbox words ("now",
 * "5 min") label a row's time; after "Last seen" they read as a sentence cut short.
 */
export function lastSeen(timestamp: string, now: Date = new Date(), timeZone = viewerZone()): string {
	const short = relativeTime(timestamp, now, timeZone);
	if (short === 'now') return 'just now';
	if (short.endsWith(' min')) return `${short} ago`;
	const then = new Date(timestamp);
	const thenDay = calendarDay(then, timeZone);
	const today = calendarDay(now, timeZone);
	if (sameDay(thenDay, today)) return `at ${short}`;
	if (sameDay(thenDay, dayBefore(today))) return `yesterday at ${clockTime(timestamp, timeZone)}`;
	return `on ${short}`;
}

const twoDigits = (n: number) => (n < 10 ? `0${n}` : String(n));

/** The clock time of a message, e.g. "14:05" (a 24-hour clock, as en-GB writes it). */
export function clockTime(timestamp: string, timeZone = viewerZone()): string {
	const wall = wallClock(new Date(timestamp), timeZone);
	return `${twoDigits(wall.getUTCHours())}:${twoDigits(wall.getUTCMinutes())}`;
}

type CalendarDay = ReturnType<typeof calendarDay>;

// A thread labels all its messages against one "now": its day and the day before are worked out
// once, and each earlier day's label once (a thread's messages come a few days at a time).
let lastNow: { time: number; timeZone: string | undefined; today: CalendarDay; yesterday: CalendarDay; labels: Map<number, string> } | null = null;

/** The day of a message in full, "7 December 2026": for what outlives today (a copied thread). */
export function fullDate(timestamp: string, timeZone = viewerZone()): string {
	return format(LONG_DATE_YEAR, new Date(timestamp), timeZone);
}

/** "Today", "Yesterday", "Monday 3 November", "3 November 2025". */
export function dayLabel(timestamp: string, now: Date = new Date(), timeZone = viewerZone()): string {
	const then = new Date(timestamp);
	const thenDay = calendarDay(then, timeZone);
	if (lastNow?.time !== now.getTime() || lastNow.timeZone !== timeZone) {
		const today = calendarDay(now, timeZone);
		lastNow = { time: now.getTime(), timeZone, today, yesterday: dayBefore(today), labels: new Map() };
	}
	const { today, yesterday, labels } = lastNow;
	if (sameDay(thenDay, today)) return 'Today';
	if (sameDay(thenDay, yesterday)) return 'Yesterday';
	const key = (thenDay.year * 100 + thenDay.month) * 100 + thenDay.day;
	let label = labels.get(key);
	if (label === undefined) {
		// The year in the viewer's time zone: late on 31 December in New York is already next year in UTC.
		label = format(thenDay.year === today.year ? LONG_DATE : LONG_DATE_YEAR, then, timeZone);
		labels.set(key, label);
	}
	return label;
}
