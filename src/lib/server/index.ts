/**
 * The server half of Bazaar Messaging: backend adapters, the realtime relay, and the messages
 * page's load, actions and endpoints. Import it only from server code.
 */
export type { MessagingBackend, SendMessage } from './messaging/backend/messaging-backend';
export { postgresMessaging } from './messaging/backend/postgres';
export { supabaseMessaging } from './messaging/backend/supabase';
export { asUser, type RequestClaims } from './messaging/backend/request-scope';
export { startPostgresRealtime, type MessagingRealtime, type PostgresRealtime } from './messaging/realtime/relay';
export { loadMessagingSession } from './messaging/session';
export { load as loadMessagesPage, actions as messagesPageActions } from './messaging/page';
export { messagingEndpoints } from './messaging/endpoints';
