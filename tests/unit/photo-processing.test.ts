import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { MAX_ANIMATION_PIXELS, MAX_FRAMES, PhotoProblem, processPhoto, type PhotoFile } from '../../src/lib/server/messaging/attachments/process.ts';
import { readExif } from '../fixtures/photos/exif.ts';
import { FIXTURES } from '../fixtures/photos/make.ts';

/** Real images, made with sharp here or committed under tests/fixtures/photos; sharp is never mocked. */

const fixture = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)));

const solid = (width: number, height: number, rgb: [number, number, number]) =>
	sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });

async function pixel(file: PhotoFile, x: number, y: number): Promise<number[]> {
	const { data, info } = await sharp(file.data).raw().toBuffer({ resolveWithObject: true });
	const at = (y * info.width + x) * info.channels;
	return [...data.subarray(at, at + 3)];
}

/** An animated GIF of solid frames, 120 ms each. */
async function animation(width: number, height: number, colours: ('red' | 'green')[]): Promise<Buffer> {
	const rgb = { red: [255, 0, 0], green: [0, 255, 0] } as const;
	const frames = await Promise.all(colours.map((colour) => solid(width, height, [...rgb[colour]]).png().toBuffer()));
	return sharp(frames, { join: { animated: true } }).gif({ delay: colours.map(() => 120) }).toBuffer();
}

const isBlue = ([r, g, b]: number[]) => b > 200 && r < 60 && g < 60;

async function expectNoMetadata(file: PhotoFile) {
	const meta = await sharp(file.data).metadata();
	expect(meta.format).toBe('webp');
	expect(meta.exif, 'no EXIF').toBeUndefined();
	expect(meta.xmp, 'no XMP').toBeUndefined();
	expect(meta.iptc, 'no IPTC').toBeUndefined();
	expect(meta.icc, 'no ICC profile').toBeUndefined();
	expect(meta.orientation ?? 1).toBe(1);
	// Belt and braces: no trace of the GPS position or the camera anywhere in the bytes.
	const text = file.data.toString('latin1');
	for (const trace of ['Exif', 'GPS', 'xmpmeta', 'TestPhone', 'Bazaar']) expect(text).not.toContain(trace);
}

describe('processPhoto', () => {
	it('the fixture really is a phone photo: GPS in EXIF and XMP, camera, orientation 6', async () => {
		const meta = await sharp(fixture('phone-gps.jpg')).metadata();
		expect(meta).toMatchObject({ format: 'jpeg', width: 1200, height: 900, orientation: 6 });
		expect(readExif(meta.exif!)).toEqual({ orientation: 6, gpsTags: expect.arrayContaining([1, 2, 3, 4]) });
		expect(meta.xmp!.toString()).toContain('GPSLatitude');
		expect(meta.exif!.toString('latin1')).toContain('TestPhone');
	});

	it('the committed fixtures stay small, and the text file only has a photo name', async () => {
		for (const name of ['phone-gps.jpg', 'shelf.png', 'not-a-photo.jpg']) expect(fixture(name).length, name).toBeLessThan(200 * 1024);
		expect(await sharp(fixture('shelf.png')).metadata()).toMatchObject({ format: 'png', width: 800, height: 600, hasAlpha: true });
		expect(new TextDecoder().decode(fixture('not-a-photo.jpg'))).toMatch(/^This is a text file/);
	});

	it('strips all metadata: a JPEG carrying EXIF GPS comes out with no EXIF, XMP, IPTC or ICC at either size', async () => {
		const photo = await processPhoto(fixture('phone-gps.jpg'));
		await expectNoMetadata(photo.display);
		await expectNoMetadata(photo.thumb);
	});

	it('strips GPS made on the spot too (IFD3 tags written by withExif)', async () => {
		const jpeg = await solid(640, 480, [90, 120, 40])
			.jpeg()
			.withExif({ IFD0: { Make: 'TestPhone' }, IFD3: { GPSLatitudeRef: 'S', GPSLatitude: '33/1 52/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '151/1 12/1 0/1' } })
			.toBuffer();
		expect(readExif((await sharp(jpeg).metadata()).exif!).gpsTags).toEqual([1, 2, 3, 4]);
		const photo = await processPhoto(jpeg);
		await expectNoMetadata(photo.display);
		await expectNoMetadata(photo.thumb);
	});

	it('turns an EXIF-rotated photo upright: 1200×900 stored with orientation 6 comes out 900×1200, the top-left marker at the top right', async () => {
		const photo = await processPhoto(fixture('phone-gps.jpg'));
		expect(photo.display).toMatchObject({ width: 900, height: 1200 });
		expect(photo.thumb).toMatchObject({ width: 240, height: 320 });
		expect(isBlue(await pixel(photo.display, 900 - 20, 20)), 'marker at the top right').toBe(true);
		expect(isBlue(await pixel(photo.display, 20, 20)), 'nothing blue at the top left').toBe(false);
		expect(isBlue(await pixel(photo.thumb, 240 - 5, 5))).toBe(true);
	});

	it('fits a large photo inside 1600×1600 and its thumbnail inside 320×320, keeping the proportions', async () => {
		const photo = await processPhoto(await solid(4000, 3000, [10, 20, 30]).jpeg().toBuffer());
		expect(photo.display).toMatchObject({ width: 1600, height: 1200 });
		expect(photo.thumb).toMatchObject({ width: 320, height: 240 });
		const tall = await processPhoto(await solid(1000, 5000, [10, 20, 30]).png().toBuffer());
		expect(tall.display).toMatchObject({ width: 320, height: 1600 });
		expect(tall.thumb).toMatchObject({ width: 64, height: 320 });
	});

	it('never enlarges a small photo', async () => {
		const photo = await processPhoto(await solid(100, 80, [200, 10, 10]).png().toBuffer());
		expect(photo.display).toMatchObject({ width: 100, height: 80 });
		expect(photo.thumb).toMatchObject({ width: 100, height: 80 });
	});

	it('reports the bytes of both WebP files, and both files are WebP', async () => {
		const photo = await processPhoto(fixture('shelf.png'));
		expect(photo.bytes).toBe(photo.display.data.length + photo.thumb.data.length);
		expect((await sharp(photo.display.data).metadata()).format).toBe('webp');
		expect((await sharp(photo.thumb.data).metadata()).hasAlpha, 'a transparent PNG keeps its transparency').toBe(true);
	});

	it('takes WebP', async () => {
		const webp = await solid(300, 200, [0, 0, 0]).webp().toBuffer();
		expect((await processPhoto(webp)).display).toMatchObject({ width: 300, height: 200 });
	});

	it('keeps an animated GIF moving at both sizes: every frame, its timing, the size of a frame', async () => {
		const gif = await animation(2400, 1200, ['red', 'green', 'red']);
		const photo = await processPhoto(gif);
		expect(photo).toMatchObject({ animated: true, stillOfAnimation: null });
		expect(photo.display).toMatchObject({ width: 1600, height: 800 });
		expect(photo.thumb).toMatchObject({ width: 320, height: 160 });
		for (const file of [photo.display, photo.thumb]) {
			const meta = await sharp(file.data, { pages: -1 }).metadata();
			expect(meta).toMatchObject({ format: 'webp', pages: 3, pageHeight: file.height, delay: [120, 120, 120] });
			await expectNoMetadata(file);
		}
		// The second frame is the second frame, not the first again.
		const second = await sharp(photo.display.data, { page: 1 }).raw().toBuffer({ resolveWithObject: true });
		const middle = (second.info.height / 2) * second.info.width * second.info.channels + (second.info.width / 2) * second.info.channels;
		const [r, g, b] = second.data.subarray(middle, middle + 3);
		expect([r < 60, g > 200, b < 60], `green, not ${[r, g, b]}`).toEqual([true, true, true]);
	});

	it('sends the first frame of an animation past the limits, and says so', async () => {
		const tooManyFrames = await animation(16, 16, Array.from({ length: MAX_FRAMES + 1 }, (_, i) => (i % 2 ? 'green' : 'red')));
		// Two frames, each just over half the pixel budget.
		const side = Math.ceil(Math.sqrt(MAX_ANIMATION_PIXELS / 2)) + 1;
		const tooManyPixels = await animation(side, side, ['red', 'green']);
		for (const [gif, reason] of [
			[tooManyFrames, 'too many frames'],
			[tooManyPixels, 'too large']
		] as const) {
			const photo = await processPhoto(gif);
			expect(photo).toMatchObject({ animated: false, stillOfAnimation: reason });
			expect((await sharp(photo.display.data, { pages: -1 }).metadata()).pages ?? 1, 'one frame').toBe(1);
			const [r, g] = await pixel(photo.display, 8, 8);
			expect([r > 200, g < 60], 'the first frame (red)').toEqual([true, true]);
		}
		// A still photo is no animation either way.
		expect(await processPhoto(await solid(40, 30, [0, 0, 255]).png().toBuffer())).toMatchObject({ animated: false, stillOfAnimation: null });
	});

	it('refuses what is not an image by its bytes, whatever its name: 415', async () => {
		const problem = await processPhoto(fixture('not-a-photo.jpg'), { name: 'not-a-photo.jpg' }).catch((e) => e);
		expect(problem).toBeInstanceOf(PhotoProblem);
		expect(problem).toMatchObject({ status: 415, message: 'not-a-photo.jpg is not a photo we can send (JPEG, PNG, WebP or GIF).' });
		// An SVG is an image sharp would render, but not one we take.
		const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
		expect(await processPhoto(svg).catch((e) => e)).toMatchObject({ status: 415 });
	});

	it('refuses a damaged image with a 400 a person understands', async () => {
		const jpeg = await solid(400, 300, [1, 2, 3]).jpeg().toBuffer();
		const cut = jpeg.subarray(0, 200);
		const problem = await processPhoto(cut, { name: 'IMG_1.jpg' }).catch((e) => e);
		expect(problem).toBeInstanceOf(PhotoProblem);
		expect(problem).toMatchObject({ status: 400, message: 'IMG_1.jpg could not be read as a photo. It may be damaged; try another.' });
		const garbage = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(500).fill(7)]);
		expect(await processPhoto(garbage).catch((e) => e)).toMatchObject({ status: 400 });
	});

	it('refuses an image claiming more than 100 megapixels before decoding it', async () => {
		// A real 64×64 JPEG whose header says 30000×30000 (900 MP): decoding it would take gigabytes.
		const jpeg = Buffer.from(await solid(64, 64, [5, 5, 5]).jpeg().toBuffer());
		const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
		expect(sof).toBeGreaterThan(0);
		jpeg.writeUInt16BE(30000, sof + 5);
		jpeg.writeUInt16BE(30000, sof + 7);
		expect((await sharp(jpeg, { limitInputPixels: false }).metadata()).width).toBe(30000);
		const problem = await processPhoto(jpeg).catch((e) => e);
		expect(problem).toMatchObject({ status: 400, message: 'This file has too many pixels (at most 100 megapixels).' });
	});
});
