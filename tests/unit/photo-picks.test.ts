import { describe, expect, it } from 'vitest';
import { MAX_ATTACHMENT_BYTES } from '../../src/lib/messaging/attachments/image-type.ts';
import { vetPhotos, type PickedFile } from '../../src/lib/messaging/attachments/photo-picks.ts';

/**
 * What the composer lets through before anything is uploaded: the type read from the bytes,
 * not the name; at most 10 MB; at most six photos a message. Each refusal is one sentence a
 * person understands, naming the file.
 */

const JPEG = [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01];
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d];
const WEBP = [...'RIFF'].map((c) => c.charCodeAt(0)).concat([0x24, 0, 0, 0], [...'WEBP'].map((c) => c.charCodeAt(0)));
const GIF = [...'GIF89a'].map((c) => c.charCodeAt(0)).concat([1, 0, 1, 0, 0, 0]);
const TEXT = [...'Hello, this is not a photo'].map((c) => c.charCodeAt(0));

const file = (name: string, bytes: number[], type = '') => new File([new Uint8Array(bytes)], name, { type });

/** A file claiming a size it does not hold: vetting reads only its first bytes. */
function sized(name: string, bytes: number[], size: number): PickedFile {
	const blob = new Blob([new Uint8Array(bytes)]);
	return { name, size, slice: (start, end) => blob.slice(start, end) };
}

describe('vetPhotos', () => {
	it('accepts JPEG, PNG, WebP and GIF by their bytes, in the order picked', async () => {
		const picked = [file('a.jpg', JPEG), file('b.png', PNG), file('c.webp', WEBP), file('d.gif', GIF)];
		const { accepted, problems } = await vetPhotos(picked, { already: 0 });
		expect(accepted.map((f) => f.name)).toEqual(['a.jpg', 'b.png', 'c.webp', 'd.gif']);
		expect(problems).toEqual([]);
	});

	it('a text file renamed .jpg (and claiming image/jpeg) is refused, naming it; the photos beside it pass', async () => {
		const { accepted, problems } = await vetPhotos([file('notes.jpg', TEXT, 'image/jpeg'), file('chair.jpg', JPEG)], { already: 0 });
		expect(accepted.map((f) => f.name)).toEqual(['chair.jpg']);
		expect(problems).toEqual(['notes.jpg is not a photo we can send (JPEG, PNG, WebP or GIF).']);
	});

	it('a photo named like a document still passes: the bytes decide', async () => {
		const { accepted } = await vetPhotos([file('scan.pdf', PNG, 'application/pdf')], { already: 0 });
		expect(accepted.map((f) => f.name)).toEqual(['scan.pdf']);
	});

	it('a photo over 10 MB is refused with its size; one of exactly 10 MB passes', async () => {
		const { accepted, problems } = await vetPhotos(
			[sized('huge.jpg', JPEG, 12 * 1024 * 1024), sized('limit.jpg', JPEG, MAX_ATTACHMENT_BYTES)],
			{ already: 0 }
		);
		expect(accepted.map((f) => f.name)).toEqual(['limit.jpg']);
		expect(problems).toEqual(['huge.jpg is 12.0 MB; photos can be at most 10 MB.']);
	});

	it('an empty file is not a photo', async () => {
		const { accepted, problems } = await vetPhotos([file('empty.jpg', [])], { already: 0 });
		expect(accepted).toEqual([]);
		expect(problems).toHaveLength(1);
	});

	it('a file that cannot be read any more is refused, naming it', async () => {
		const gone: PickedFile = {
			name: 'moved.jpg',
			size: 100,
			slice: () => ({ arrayBuffer: () => Promise.reject(new Error('NotReadableError')) }) as unknown as Blob
		};
		expect(await vetPhotos([gone], { already: 0 })).toEqual({ accepted: [], problems: ['moved.jpg could not be read.'] });
	});

	it('at most six photos a message, counting those already attached; the rest are named in one sentence', async () => {
		const picked = ['1', '2', '3', '4'].map((n) => file(`${n}.jpg`, JPEG));
		const { accepted, problems } = await vetPhotos(picked, { already: 4 });
		expect(accepted.map((f) => f.name)).toEqual(['1.jpg', '2.jpg']);
		expect(problems).toEqual(['A message can carry at most 6 photos; 3.jpg and 4.jpg were not added.']);

		const full = await vetPhotos([file('7.jpg', JPEG)], { already: 6 });
		expect(full).toEqual({ accepted: [], problems: ['A message can carry at most 6 photos; 7.jpg was not added.'] });
	});

	it('refused files do not use up the six places', async () => {
		const picked = [file('notes.txt', TEXT), ...['1', '2', '3', '4', '5', '6'].map((n) => file(`${n}.png`, PNG))];
		const { accepted, problems } = await vetPhotos(picked, { already: 0 });
		expect(accepted).toHaveLength(6);
		expect(problems).toEqual(['notes.txt is not a photo we can send (JPEG, PNG, WebP or GIF).']);
	});
});
