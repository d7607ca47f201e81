import { loadMessagingSession } from 'bazaar-messaging/server';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async ({ locals }) => ({ messaging: await loadMessagingSession(locals) });
