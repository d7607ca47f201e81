/** What a member may attach: up to six images a message, each at most 10 MB, of these types. */
export const MAX_ATTACHMENTS = 6;
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const ATTACHMENT_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

/**
 * Said of a photo refused by a limit in front of the messaging endpoint (adapter-node's
 * BODY_SIZE_LIMIT, 512 KB unless the operator raises it; a proxy's): the photo may be well under
 * 10 MB, so "at most 10 MB" would be untrue, and only a smaller photo gets through meanwhile.
 * The server's log tells the operator which limit to raise.
 */
export const PHOTO_OVER_SERVER_LIMIT = 'This photo is larger than this marketplace accepts right now. Try a smaller one.';

/** Bytes needed to recognise every accepted type. */
export const SNIFF_BYTES = 12;

const startsWith = (bytes: Uint8Array, signature: number[], at = 0) => signature.every((byte, i) => bytes[at + i] === byte);
const ascii = (text: string) => [...text].map((char) => char.charCodeAt(0));

/**
 * The image type the bytes say, whatever the file's name or claimed type: browser and server
 * both decide from the first SNIFF_BYTES bytes. null for anything else.
 */
export function sniffImageType(bytes: Uint8Array): AttachmentType | null {
	if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
	if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
	if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
	if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'image/gif';
	return null;
}

/** Why a file cannot be attached, in words for the person choosing it; null when it can. */
export function attachmentProblem(file: { name: string; size: number }, type: AttachmentType | null): string | null {
	if (type === null) return `${file.name} is not a photo we can send (JPEG, PNG, WebP or GIF).`;
	if (file.size > MAX_ATTACHMENT_BYTES) return `${file.name} is ${(file.size / 1024 / 1024).toFixed(1)} MB; photos can be at most 10 MB.`;
	return null;
}
