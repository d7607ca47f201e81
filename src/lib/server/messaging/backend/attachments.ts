import { z } from 'zod';
import { Attachment } from '$lib/messaging/schemas/index.js';
import { id } from './ids.js';
import type { MessagingBackend } from './messaging-backend.js';
import type { RpcCall } from './rpc-call.js';

/** What image processing measured of a photo: the display size, the thumbnail and the bytes stored for both. */
export interface AttachmentDimensions {
	width: number;
	height: number;
	thumbWidth: number;
	thumbHeight: number;
	bytes: number;
}

/** attachment_for_reader's answer: the photo, and its message (null while pending). */
const AttachmentAccess = z.object({ id: z.uuid(), message_id: z.uuid().nullable() });

/** The photo methods of the backend (check_photo_room, create_attachment, discard_attachment, attachment_for_reader). */
export function attachmentMethods(
	call: RpcCall
): Pick<MessagingBackend, 'checkPhotoRoom' | 'createAttachment' | 'discardAttachment' | 'attachmentForReader'> {
	return {
		async checkPhotoRoom() {
			await call('check_photo_room', {}, 'value');
		},

		async createAttachment({ width, height, thumbWidth, thumbHeight, bytes }) {
			return Attachment.parse(
				await call(
					'create_attachment',
					{ p_width: width, p_height: height, p_thumb_width: thumbWidth, p_thumb_height: thumbHeight, p_bytes: bytes },
					'value'
				)
			);
		},

		async discardAttachment({ id: photoId }) {
			await call('discard_attachment', { p_id: id(photoId, 'photo') }, 'value');
		},

		async attachmentForReader({ id: photoId }) {
			return AttachmentAccess.parse(await call('attachment_for_reader', { p_id: id(photoId, 'photo') }, 'value'));
		}
	};
}
