/**
 * The browser half of Bazaar Messaging: the page component, the per-tab client that holds the
 * inbox and threads and runs the realtime feed, the shared schemas, and the rules a photo is
 * vetted by before upload. Safe to import anywhere.
 */
export { default as MessagesPage } from './messaging/components/MessagesPage.svelte';
export { default as UnreadBadge } from './messaging/components/UnreadBadge.svelte';
export { default as ListingBadge } from './messaging/components/ListingBadge.svelte';
export { MessagingClient, getMessaging, setMessaging } from './messaging/state/messaging-client.svelte';
export type { MessagingOptions } from './messaging/state/messaging-options';
export { InboxState } from './messaging/state/inbox.svelte';
export { ThreadState, type ThreadMessage, type DeliveryStatus } from './messaging/state/thread.svelte';
export { MessagingApi, actionOutcome, type Outcome } from './messaging/api';
export {
	ATTACHMENT_TYPES,
	MAX_ATTACHMENTS,
	MAX_ATTACHMENT_BYTES,
	SNIFF_BYTES,
	attachmentProblem,
	sniffImageType,
	type AttachmentType
} from './messaging/attachments/image-type';
export { vetPhotos, type PickedFile, type VettedPicks } from './messaging/attachments/photo-picks';
export { PhotoUploads, type PhotoUpload, type UploadStatus } from './messaging/state/photo-uploads.svelte';
export { reactionLabel } from './messaging/state/reactions';
export { formatConversationKey, parseConversationKey, tryParseConversationKey, type ConversationKeyParts } from './messaging/conversation-key';
export { MessagingError, messagingErrorFrom, isDatabaseUnavailable, UNAVAILABLE_MESSAGE, type MessagingErrorCode } from './messaging/errors';
export { formatPrice } from './messaging/price';
export { MAX_OFFER_MAJOR, currencySymbol, formatMinor, minorUnits, parseAmount, type ParsedAmount } from './messaging/offers/amount';
export {
	OFFER_RESPONSE_LABEL,
	canMakeOffer,
	endedDeals,
	offerCard,
	supersededCards,
	type DealEnding,
	type OfferCardView,
	type OfferResponse,
	type OfferViewer
} from './messaging/offers/offer-card';
export { systemText } from './messaging/offers/system-text';
export { listingStatusLabel } from './messaging/offers/listing-status';
export { responseTimeLabel } from './messaging/response-time';
export { QuickReplies } from './messaging/state/quick-replies.svelte';
export type { MessagesPageData, MessagesPageForm, MessagesPageLoad } from './messaging/page-data';
export * from './messaging/schemas';
export { default as NotificationSettings } from './messaging/components/NotificationSettings.svelte';
export { default as TurnOnNotifications } from './messaging/components/TurnOnNotifications.svelte';
export { BrowserNotifications, type NotificationEnvironment } from './messaging/notifications/browser-notifications.svelte';
export { shouldNotify, shouldCountInTitle, titleWithCount, type NotificationPermissionState } from './messaging/notifications/decide';
export { PreferencesFormInput, type PreferencesFormResult } from './messaging/notifications/preferences-form';
