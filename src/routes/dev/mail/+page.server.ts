import { dev } from '$app/environment';
import { error } from '@sveltejs/kit';
import { readMailbox } from '$lib/server';
import { readConfig } from '$lib/server/config';
import type { PageServerLoad } from './$types';

/** Development only: the digests the worker wrote to files instead of sending (no SMTP server set). */
export const load: PageServerLoad = async ({ url }) => {
	if (!dev) error(404, { message: 'Not found' });
	return readMailbox({ dir: readConfig().mailDir, selected: url.searchParams.get('mail') });
};
