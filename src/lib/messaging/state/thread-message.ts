import type { WaitReason } from '../api';
import type { Attachment, Message } from '../schemas';

export type DeliveryStatus = 'sending' | 'sent' | 'failed';

export interface ThreadMessage extends Message {
	status: DeliveryStatus;
	/** Why the last send failed, in words a person understands. */
	error?: string;
	/** It failed for a reason that passes (see WaitReason): it is sent again by itself (same id), and why. */
	waiting?: WaitReason;
}

/** A draft shown as "sending" before the server has it; `id` is the idempotency key its retries reuse. */
export interface PendingDraft {
	id: string;
	body: string;
	/** The message it answers, as its quote shows it. */
	reply?: { id: string; sender_id: string; preview: string } | null;
	/** Photos already uploaded; a retry sends the same ones. */
	attachments?: Attachment[];
	/** When it was written, if not now (one a reload brought back); it still goes below every message. */
	createdAt?: string;
}
