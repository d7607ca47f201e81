import { SNIFF_BYTES, sniffImageType, type AttachmentType } from '../../../messaging/attachments/image-type.js';
import type { AttachmentSize } from '../../../messaging/schemas/index.js';

/** The display size and the thumbnail fit inside these boxes, never enlarged. */
export const DISPLAY_BOX = 1600;
export const THUMB_BOX = 320;

/**
 * Photos larger than this many pixels are refused before decoding: 100 megapixels is more than
 * any phone takes, and decoding is what costs memory (a 100 MP RGB image is about 300 MB).
 */
export const MAX_INPUT_PIXELS = 100_000_000;

const WEBP = { quality: 82, effort: 4 } as const;

/** One stored rendition of a photo. */
export interface PhotoFile {
	data: Buffer;
	width: number;
	height: number;
}

export type ProcessedPhoto = Record<AttachmentSize, PhotoFile> & {
	/** What the two files take together. */
	bytes: number;
};

/** A photo a person sent that cannot be used: 415 for what is not an image we take, 400 for an image we cannot read. */
export class PhotoProblem extends Error {
	constructor(
		readonly status: 400 | 415,
		message: string
	) {
		super(message);
		this.name = 'PhotoProblem';
	}
}

/** sharp's name for each accepted type, to check that the decoder agrees with the magic bytes. */
const SHARP_FORMAT: Record<AttachmentType, string> = { 'image/jpeg': 'jpeg', 'image/png': 'png', 'image/webp': 'webp', 'image/gif': 'gif' };

/**
 * Turns an uploaded image into the two WebP files we keep: the display size (inside 1600×1600)
 * and the thumbnail (inside 320×320), upright by the EXIF orientation, never enlarged, first
 * frame only for animations. Nothing of the original's metadata survives: sharp writes none
 * unless asked (no keepExif, keepXmp, keepIccProfile or withMetadata here), so a phone's GPS
 * position, camera serial and the like stay behind. The original itself is never kept.
 */
export async function processPhoto(bytes: Uint8Array, options: { name?: string } = {}): Promise<ProcessedPhoto> {
	const name = options.name || 'This file';
	const type = sniffImageType(bytes.subarray(0, SNIFF_BYTES));
	if (!type) throw new PhotoProblem(415, `${name} is not a photo we can send (JPEG, PNG, WebP or GIF).`);
	const unreadable = () => new PhotoProblem(400, `${name} could not be read as a photo. It may be damaged; try another.`);
	// pages: 1 is the first frame of a GIF or animated WebP; failOn 'warning' refuses damaged data (sharp's advice for untrusted input).
	const input = { limitInputPixels: MAX_INPUT_PIXELS, pages: 1, failOn: 'warning' } as const;
	// Loaded on first use: a host that never receives photos never loads the native library.
	const { default: sharp } = await import('sharp');
	try {
		const header = await sharp(bytes, input).metadata();
		if (header.format !== SHARP_FORMAT[type]) throw unreadable();
		const display = await sharp(bytes, input)
			.rotate()
			.resize(DISPLAY_BOX, DISPLAY_BOX, { fit: 'inside', withoutEnlargement: true })
			.webp(WEBP)
			.toBuffer({ resolveWithObject: true });
		// From the display size rather than the original: a fraction of the pixels to decode, and already upright.
		const thumb = await sharp(display.data)
			.resize(THUMB_BOX, THUMB_BOX, { fit: 'inside', withoutEnlargement: true })
			.webp(WEBP)
			.toBuffer({ resolveWithObject: true });
		return {
			display: { data: display.data, width: display.info.width, height: display.info.height },
			thumb: { data: thumb.data, width: thumb.info.width, height: thumb.info.height },
			bytes: display.data.length + thumb.data.length
		};
	} catch (e) {
		if (e instanceof PhotoProblem) throw e;
		if (/pixel limit/i.test((e as Error).message)) {
			throw new PhotoProblem(400, `${name} has too many pixels (at most ${MAX_INPUT_PIXELS / 1_000_000} megapixels).`);
		}
		// Anything libvips refuses (truncated, corrupt, not really an image) is the file's problem, not a bug.
		throw unreadable();
	}
}
