export { loadPreferencesPage as load, preferencesPageActions as actions } from '$lib/server';
