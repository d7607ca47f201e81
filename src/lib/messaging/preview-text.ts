import { formatMinor } from './offers/amount.js';
import { systemText } from './offers/system-text.js';
import { OfferCardPayload, type ConversationPreviewRow, type SearchHit } from './schemas/index.js';

type PreviewFields = Pick<
	ConversationPreviewRow,
	| 'last_message_preview'
	| 'last_message_deleted'
	| 'last_message_kind'
	| 'last_message_payload'
	| 'last_message_sender_id'
	| 'other_user_id'
	| 'other_display_name'
	| 'product_seller_id'
>;

/**
 * An inbox preview's line for the member reading it, worded as the thread words the message:
 * "You: Still there?", "You offered €140.00", "Lee countered with €130.00", "Lee accepted your
 * offer of €130.00". The stored preview is the neutral sentence search and email use ("Ana
 * offered €140.00"), and what this falls back to when a payload says too little.
 */
export function previewText(preview: PreviewFields, me: string | null): string {
	if (preview.last_message_deleted) return 'Message deleted';
	const stored = preview.last_message_preview;
	const mine = me !== null && preview.last_message_sender_id === me;
	switch (preview.last_message_kind) {
		case 'text':
			return stored ? `${mine ? 'You: ' : ''}${stored}` : 'No messages yet';
		case 'system':
			return systemText(
				{ body: stored, payload: preview.last_message_payload },
				{ me: me ?? '', other: { id: preview.other_user_id, display_name: preview.other_display_name } }
			);
		case 'offer': {
			const card = OfferCardPayload.safeParse(preview.last_message_payload);
			if (!card.success) return stored;
			const who = mine ? 'You' : preview.last_message_sender_id === preview.other_user_id ? preview.other_display_name : null;
			if (!who) return stored;
			const verb = preview.last_message_sender_id === preview.product_seller_id ? 'countered with' : 'offered';
			return `${who} ${verb} ${formatMinor(card.data.amount_cents, card.data.currency)}`;
		}
		default:
			return stored || 'No messages yet';
	}
}

/** A search hit's line for its reader: worded as its conversation's preview would be, were it the last message. */
export function hitText(hit: Omit<SearchHit, 'key'>, me: string | null): string {
	const { body, kind, payload, sender_id } = hit;
	return previewText({ ...hit, last_message_preview: body, last_message_deleted: false, last_message_kind: kind, last_message_payload: payload, last_message_sender_id: sender_id }, me);
}
