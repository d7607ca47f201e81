/**
 * The server half of Bazaar Messaging: backend adapters, the realtime relay, and the messages
 * page's load, actions and endpoints. Import it only from server code.
 */
export type { AttachmentDimensions, MessagingBackend, SendMessage } from './messaging/backend/messaging-backend';
export type { ListingDeal, MakeOffer, OfferAction, RespondToOffer } from './messaging/backend/offers';
export type { BackendOptions } from './messaging/backend/messaging-backend';
export { postgresMessaging } from './messaging/backend/postgres';
export { contactScreen, signScreenedText, type ContactScreen, type ScreenedText } from './messaging/contact/screen';
export { findContactDetails, hideContactDetails, HIDDEN_CONTACT, type ContactKind, type ContactSpan } from './messaging/contact/contact-details';
export { supabaseMessaging } from './messaging/backend/supabase';
export { asUser, type RequestClaims } from './messaging/backend/request-scope';
export { clientQuery } from './messaging/backend/client-query';
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
export { load as loadPreferencesPage, actions as preferencesPageActions } from './messaging/preferences-page';
export { startDigestWorker, type DigestWorker, type DigestWorkerOptions } from './messaging/digests/worker';
export { sendDigest, DigestDeferred, type DigestOutcome, type SendDigestOptions } from './messaging/digests/send';
export { digestMail, unsubscribeUrl, MailNotSent, type DigestMailer, type DigestMailOptions, type OutgoingMail } from './messaging/digests/mail';
export { smtpMailer, fileMailer, refusedForCertain } from './messaging/digests/mailers';
export { renderDigest, conversationUrl, type RenderedDigest, type RenderOptions } from './messaging/digests/render';
export { DigestContent, DigestConversation, DigestMessage } from './messaging/digests/content';
export { load as loadUnsubscribePage, actions as unsubscribePageActions, oneClick as oneClickUnsubscribe, type UnsubscribePageData, type UnsubscribeResult } from './messaging/digests/unsubscribe-page';
export type { AccountData, ErasedAccount, ExportStart, ExportedConversation, ExportedOffer } from './messaging/backend/account';
export { dataExportEndpoint, dataExportResponse, type DataExportOptions, type ExportPageSizes } from './messaging/account/export';
export { deleteAccountPage, type AccountLogin, type DeleteAccountPageData } from './messaging/account/erase';
export { FailureWindow, waitInMinutes } from './messaging/account/failure-window';
export { formOriginGuard } from './messaging/digests/origin-guard';
export { formActions, formFields, UNREADABLE_FORM } from './messaging/form';
export { viewerTimeZone } from './messaging/time-zone';
