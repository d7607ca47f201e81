import type { Handle } from '@sveltejs/kit';

/** Browser features this app never uses, switched off for every page and anything it embeds. */
const PERMISSIONS_POLICY = 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()';

/** Adds `origins` to the CSP directive `name` of a header SvelteKit wrote. */
function allow(csp: string, name: string, origins: string[]): string {
	return csp
		.split(';')
		.map((directive) => (directive.trim().split(/\s+/)[0] === name ? `${directive.trim()} ${origins.join(' ')}` : directive.trim()))
		.join('; ');
}

/**
 * The headers every response carries besides SvelteKit's Content-Security-Policy (kit.csp):
 * no MIME sniffing, no full URLs in Referer to other sites, no camera or location, and no
 * framing by old browsers that ignore frame-ancestors. `supabaseUrl` (Supabase mode) is
 * allowed for connections (REST and Realtime's WebSocket) and for signed photo URLs.
 */
export function securityHeaders(options: { supabaseUrl?: string } = {}): Handle {
	const extra = options.supabaseUrl ? [new URL(options.supabaseUrl).origin] : [];
	const sockets = extra.map((origin) => origin.replace(/^http/, 'ws'));
	return async ({ event, resolve }) => {
		const response = await resolve(event);
		const set = (name: string, value: string) => {
			// Redirects from fetch() and some error responses come back immutable; leave those as they are.
			try {
				response.headers.set(name, value);
			} catch {
				/* immutable headers */
			}
		};
		set('X-Content-Type-Options', 'nosniff');
		// An event stream is no document, so the rest mean nothing to it, and a server holds
		// thousands of streams for hours, each keeping the text of its headers (in pieces) as long.
		if (response.headers.get('content-type')?.startsWith('text/event-stream')) return response;
		set('Referrer-Policy', 'strict-origin-when-cross-origin');
		set('Permissions-Policy', PERMISSIONS_POLICY);
		set('X-Frame-Options', 'DENY');
		const csp = response.headers.get('content-security-policy');
		if (csp && extra.length) {
			set('content-security-policy', allow(allow(csp, 'connect-src', [...extra, ...sockets]), 'img-src', extra));
		}
		return response;
	};
}
