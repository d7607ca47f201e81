export { loadMessagesPage as load, messagesPageActions as actions } from 'bazaar-messaging/server';
