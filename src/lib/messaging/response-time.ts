import type { ResponseTime } from './schemas';

const HOUR = 3600;
const DAY = 24 * HOUR;

/**
 * The badge a product page shows beside its seller: how fast they usually answer a new message,
 * in words a buyer reads at a glance. null when there is too little to say (too few replies) or
 * when it would only put buyers off (slower than a week).
 */
export function responseTimeLabel(responseTime: ResponseTime): string | null {
	if (!responseTime) return null;
	const seconds = responseTime.median_seconds;
	if (seconds <= HOUR) return 'Usually replies within an hour';
	if (seconds <= 6 * HOUR) return 'Usually replies within a few hours';
	if (seconds <= DAY) return 'Usually replies within a day';
	if (seconds <= 7 * DAY) return 'Usually replies within a few days';
	return null;
}
