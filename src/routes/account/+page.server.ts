import { dataExportRefusal, loadPreferencesPage } from '$lib/server';
import type { PageServerLoad } from './$types';

export { preferencesPageActions as actions } from '$lib/server';

/** The settings, and why a download just asked for was refused (the export endpoint sent the member back here). */
export const load: PageServerLoad = async (event) => ({ ...(await loadPreferencesPage(event)), exportRefusal: dataExportRefusal(event) });
