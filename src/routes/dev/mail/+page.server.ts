import { dev } from '$app/environment';
import { error } from '@sveltejs/kit';
import { readConfig } from '$lib/server/config';
import type { PageServerLoad } from './$types';
import { readMailbox } from './mailbox';

/** Development only: the digests the worker wrote to files instead of sending (no SMTP server set). */
export const load: PageServerLoad = async ({ url }) => {
	if (!dev) error(404, { message: 'Not found' });
	return readMailbox({ dir: readConfig().mailDir, selected: url.searchParams.get('mail') });
};
