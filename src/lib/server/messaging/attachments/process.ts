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

/**
 * An animation is kept (as an animated WebP) while all its frames together have at most this
 * many pixels and there are at most MAX_FRAMES of them: decoding and encoding cost about 0.1 s of
 * CPU per megapixel, so 20 MP (a 480×270 GIF of 150 frames) is about 2 s. Past either limit the
 * first frame is sent, and the sender is told.
 */
export const MAX_ANIMATION_PIXELS = 20_000_000;
export const MAX_FRAMES = 250;

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
	/** Whether both files move (an animated GIF or WebP within the limits above). */
	animated: boolean;
	/** Why only the first frame of an animation was kept: past MAX_FRAMES, or past MAX_ANIMATION_PIXELS. */
	stillOfAnimation: 'too many frames' | 'too large' | null;
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
 * and the thumbnail (inside 320×320), upright by the EXIF orientation, never enlarged, animated
 * when the upload is an animation within the limits above (else its first frame). Nothing of the original's metadata survives: sharp writes none
 * unless asked (no keepExif, keepXmp, keepIccProfile or withMetadata here), so a phone's GPS
 * position, camera serial and the like stay behind. The original itself is never kept.
 */
export async function processPhoto(bytes: Uint8Array, options: { name?: string } = {}): Promise<ProcessedPhoto> {
	const name = options.name || 'This file';
	const type = sniffImageType(bytes.subarray(0, SNIFF_BYTES));
	if (!type) throw new PhotoProblem(415, `${name} is not a photo we can send (JPEG, PNG, WebP or GIF).`);
	const unreadable = () => new PhotoProblem(400, `${name} could not be read as a photo. It may be damaged; try another.`);
	// pages: 1 is the first frame of a GIF or animated WebP (all of them are asked for only once
	// they are known to be within the limits); failOn 'warning' refuses damaged data (sharp's advice for untrusted input).
	const input = { limitInputPixels: MAX_INPUT_PIXELS, pages: 1, failOn: 'warning' } as const;
	// Loaded on first use: a host that never receives photos never loads the native library.
	const { default: sharp } = await import('sharp');
	try {
		// With pages: 1 the header still counts the frames, and its height is one frame's.
		const header = await sharp(bytes, input).metadata();
		if (header.format !== SHARP_FORMAT[type]) throw unreadable();
		const frames = header.pages ?? 1;
		const stillOfAnimation =
			frames <= 1 ? null : frames > MAX_FRAMES ? 'too many frames' : header.width * header.height * frames > MAX_ANIMATION_PIXELS ? 'too large' : null;
		const animated = frames > 1 && !stillOfAnimation;
		const frameSet = animated ? ({ pages: -1 } as const) : {};
		const display = await sharp(bytes, { ...input, ...frameSet })
			.rotate()
			.resize(DISPLAY_BOX, DISPLAY_BOX, { fit: 'inside', withoutEnlargement: true })
			.webp(WEBP)
			.toBuffer({ resolveWithObject: true });
		// From the display size rather than the original: a fraction of the pixels to decode, and already upright.
		const thumb = await sharp(display.data, frameSet)
			.resize(THUMB_BOX, THUMB_BOX, { fit: 'inside', withoutEnlargement: true })
			.webp(WEBP)
			.toBuffer({ resolveWithObject: true });
		// An animation's height comes back as its frames stacked.
		const file = ({ data, info }: typeof display): PhotoFile => ({ data, width: info.width, height: info.pageHeight ?? info.height });
		return {
			display: file(display),
			thumb: file(thumb),
			bytes: display.data.length + thumb.data.length,
			animated,
			stillOfAnimation
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
