import type { AttachmentStore, MessagingBackend, MessagingRealtime } from 'bazaar-messaging/server';

declare global {
	namespace App {
		interface Locals {
			user: { id: string } | null;
			messaging: MessagingBackend;
			messagingRealtime: MessagingRealtime;
			messagingAttachments: AttachmentStore;
		}
	}
}

export {};
