/**
 * The server half of Bazaar Messaging: backend adapters, the realtime relay, and the messages
 * page's load, actions and endpoints. Import it only from server code.
 */
export type { AttachmentDimensions, MessagingBackend, SendMessage } from './messaging/backend/messaging-backend.js';
export type { ListingDeal, MakeOffer, OfferAction, RespondToOffer } from './messaging/backend/offers.js';
export type { BackendOptions } from './messaging/backend/messaging-backend.js';
export { postgresMessaging } from './messaging/backend/postgres.js';
export { contactScreen, signScreenedText, type ContactScreen, type ScreenedText } from './messaging/contact/screen.js';
export { findContactDetails, hideContactDetails, HIDDEN_CONTACT, type ContactKind, type ContactSpan } from './messaging/contact/contact-details.js';
export { supabaseMessaging } from './messaging/backend/supabase.js';
export { asUser, type RequestClaims } from './messaging/backend/request-scope.js';
export { clientQuery } from './messaging/backend/client-query.js';
export { startPostgresRealtime, type MessagingRealtime, type PostgresRealtime } from './messaging/realtime/relay.js';
export { loadMessagingSession } from './messaging/session.js';
export { load as loadMessagesPage, actions as messagesPageActions } from './messaging/page.js';
export { messagingEndpoints } from './messaging/endpoints.js';
export type { AttachmentStore, StoredPhoto } from './messaging/attachments/store.js';
export { folderAttachmentStore } from './messaging/attachments/folder-store.js';
export {
	supabaseAttachmentStore,
	ATTACHMENT_BUCKET,
	type AttachmentStorageClient
} from './messaging/attachments/supabase-store.js';
export {
	drainAttachmentRemovals,
	postgresAttachmentRemovals,
	supabaseAttachmentRemovals,
	type AttachmentRemovalQueue,
	type AttachmentRemovalsRpcClient
} from './messaging/attachments/removals.js';
export { processPhoto, PhotoProblem, type ProcessedPhoto } from './messaging/attachments/process.js';
export { load as loadPreferencesPage, actions as preferencesPageActions } from './messaging/preferences-page.js';
export { startDigestWorker, type DigestWorker, type DigestWorkerOptions } from './messaging/digests/worker.js';
export { sendDigest, DigestDeferred, type DigestOutcome, type SendDigestOptions } from './messaging/digests/send.js';
export { digestMail, unsubscribeUrl, MailNotSent, type DigestMailer, type DigestMailOptions, type OutgoingMail } from './messaging/digests/mail.js';
export { smtpMailer, fileMailer, refusedForCertain } from './messaging/digests/mailers.js';
export { renderDigest, conversationUrl, type RenderedDigest, type RenderOptions } from './messaging/digests/render.js';
export { DigestContent, DigestConversation, DigestMessage } from './messaging/digests/content.js';
export {
	load as loadUnsubscribePage,
	actions as unsubscribePageActions,
	oneClick as oneClickUnsubscribe,
	linkFetched as unsubscribeLinkFetched,
	type UnsubscribePageData,
	type UnsubscribeResult
} from './messaging/digests/unsubscribe-page.js';
export type { AccountData, ErasedAccount, ExportStart, ExportedConversation, ExportedOffer } from './messaging/backend/account.js';
export { dataExportEndpoint, dataExportRefusal, dataExportResponse, type DataExportOptions, type ExportPageSizes } from './messaging/account/export.js';
export { deleteAccountPage, type AccountLogin, type DeleteAccountPageData } from './messaging/account/erase.js';
export { FailureWindow, waitInMinutes } from './messaging/account/failure-window.js';
export { formOriginGuard } from './messaging/digests/origin-guard.js';
export { formActions, formFields, UNREADABLE_FORM } from './messaging/form.js';
export { viewerTimeZone } from './messaging/time-zone.js';
export { migrateMessaging, type MigrateMessagingOptions } from './migrations/migrate-messaging.js';
export { MigrationError, ObsoleteMigrationsError } from './migrations/runner.js';
