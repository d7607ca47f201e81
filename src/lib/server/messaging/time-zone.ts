import { AsyncLocalStorage } from 'node:async_hooks';
import type { Handle } from '@sveltejs/kit';
import { renderTimesIn } from '../../messaging/relative-time.js';
import { TIME_ZONE_COOKIE, validTimeZone } from '../../messaging/time-zone.js';

// The request's zone, for rendering: module state must not hold one viewer's zone for another's
// request, so each request runs in a context of its own.
const zones = new AsyncLocalStorage<string>();
renderTimesIn(() => zones.getStore());

/**
 * A handle that renders the messaging times in the zone the viewer's browser stored in its cookie
 * (MessagingClient sets it), so hydration changes none of them. Without the cookie (a first visit,
 * no JavaScript) times are in the server's zone, as before.
 */
export function viewerTimeZone(): Handle {
	return ({ event, resolve }) => {
		const zone = validTimeZone(event.cookies.get(TIME_ZONE_COOKIE));
		return zone ? zones.run(zone, () => resolve(event)) : resolve(event);
	};
}
