export { loadMessagesPage as load, messagesPageActions as actions } from '$lib/server';
