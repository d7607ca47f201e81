/**
 * The server half of Bazaar Messaging: backend adapters, the realtime relay, and the messages
 * page's load, actions and endpoints. Import it only from server code.
 */
export type { AttachmentDimensions, MessagingBackend, SendMessage } from './messaging/backend/messaging-backend';
export type { MakeOffer, OfferAction, RespondToOffer } from './messaging/backend/offers';
export type { BackendOptions } from './messaging/backend/messaging-backend';
export { postgresMessaging } from './messaging/backend/postgres';
export { contactScreen, signScreenedText, type ContactScreen, type ScreenedText } from './messaging/contact/screen';
export { findContactDetails, hideContactDetails, HIDDEN_CONTACT, type ContactKind, type ContactSpan } from './messaging/contact/contact-details';
export { supabaseMessaging } from './messaging/backend/supabase';
export { asUser, type RequestClaims } from './messaging/backend/request-scope';
export { startPostgresRealtime, type MessagingRealtime, type PostgresRealtime } from './messaging/realtime/relay';
export { loadMessagingSession } from './messaging/session';
export { load as loadMessagesPage, actions as messagesPageActions } from './messaging/page';
export { messagingEndpoints } from './messaging/endpoints';
export type { AttachmentStore, StoredPhoto } from './messaging/attachments/store';
export { folderAttachmentStore } from './messaging/attachments/folder-store';
export {
	supabaseAttachmentStore,
	ATTACHMENT_BUCKET,
	type AttachmentStorageClient
} from './messaging/attachments/supabase-store';
export {
	drainAttachmentRemovals,
	postgresAttachmentRemovals,
	supabaseAttachmentRemovals,
	type AttachmentRemovalQueue,
	type AttachmentRemovalsRpcClient
} from './messaging/attachments/removals';
export { processPhoto, PhotoProblem, type ProcessedPhoto } from './messaging/attachments/process';
