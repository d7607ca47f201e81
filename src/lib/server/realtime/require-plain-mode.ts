import { error } from '@sveltejs/kit';
import { runtime, type Runtime } from '../runtime';

/** The realtime endpoints of plain-PostgreSQL mode; Supabase mode uses Supabase Realtime instead. */
export async function plainRealtime(locals: App.Locals): Promise<Required<Pick<Runtime, 'hub' | 'pool'>> & { user: App.SessionUser }> {
	const rt = await runtime();
	if (!rt.hub || !rt.pool) error(404, { message: 'Realtime runs through Supabase in this mode.' });
	if (!locals.user) error(401, { message: 'Sign in to receive messages.' });
	return { hub: rt.hub, pool: rt.pool, user: locals.user };
}
