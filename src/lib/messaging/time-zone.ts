/**
 * The viewer's time zone, for server rendering: the browser keeps it in a cookie, so the server
 * writes times as the browser will (no flicker as the page hydrates, and the right times without
 * JavaScript). Set from the app's own script, not an inline one, which the CSP would refuse.
 */
export const TIME_ZONE_COOKIE = 'tz';

const YEAR_SECONDS = 365 * 24 * 3600;

// Asking Intl costs about 57 µs, and the server asks on every request that carries the cookie:
// 8% of a signed-in inbox page's time. Zones already answered are kept, to a bound, as the
// cookie is the visitor's to write ("europe/berlin" is valid too, in every casing).
const known = new Map<string, string>();
const KNOWN_AT_MOST = 1000;

/** The IANA name if this runtime knows the zone ("America/New_York"); null for anything else a cookie may hold. */
export function validTimeZone(value: string | undefined | null): string | null {
	if (!value || value.length > 64) return null;
	const seen = known.get(value);
	if (seen !== undefined) return seen;
	try {
		const zone = new Intl.DateTimeFormat('en-GB', { timeZone: value }).resolvedOptions().timeZone;
		if (known.size < KNOWN_AT_MOST) known.set(value, zone);
		return zone;
	} catch {
		return null;
	}
}

/** In the browser: stores its time zone for the next request's server rendering, when it is not stored already. */
export function rememberTimeZone() {
	const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
	if (!validTimeZone(zone)) return;
	const value = encodeURIComponent(zone);
	if (document.cookie.split('; ').includes(`${TIME_ZONE_COOKIE}=${value}`)) return;
	const secure = location.protocol === 'https:' ? '; secure' : '';
	document.cookie = `${TIME_ZONE_COOKIE}=${value}; path=/; max-age=${YEAR_SECONDS}; samesite=lax${secure}`;
}
