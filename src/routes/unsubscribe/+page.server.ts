// A digest's signed unsubscribe link: the page, its button and mail clients' one-click POST.
export { loadUnsubscribePage as load, unsubscribePageActions as actions } from '$lib/server';
