import { MAX_ATTACHMENTS, SNIFF_BYTES, attachmentProblem, sniffImageType } from './image-type';

/** A file as the picker, a drop or a paste hands it over: only what vetting needs. */
export interface PickedFile {
	name: string;
	size: number;
	slice(start: number, end: number): Blob;
}

export interface VettedPicks<F extends PickedFile> {
	/** What may be uploaded, in the order it was picked. */
	accepted: F[];
	/** Why the others may not, one sentence per refusal, for the composer to show. */
	problems: string[];
}

/**
 * Decides, before anything is uploaded, which picked files may go: the type is read from the
 * file's first bytes (its name and claimed type can lie), the size is checked, and a message
 * carries at most MAX_ATTACHMENTS photos counting the `already` attached. The server checks all
 * of it again; this is so a person hears why at once, and nothing refused is sent at all.
 */
export async function vetPhotos<F extends PickedFile>(files: readonly F[], options: { already: number }): Promise<VettedPicks<F>> {
	const problems: string[] = [];
	const acceptable: F[] = [];
	for (const file of files) {
		const problem = await problemOf(file);
		if (problem) problems.push(problem);
		else acceptable.push(file);
	}
	const room = Math.max(0, MAX_ATTACHMENTS - options.already);
	const left = acceptable.slice(room);
	if (left.length > 0) problems.push(tooMany(left.map((file) => file.name)));
	return { accepted: acceptable.slice(0, room), problems };
}

async function problemOf(file: PickedFile): Promise<string | null> {
	let head: Uint8Array;
	try {
		head = new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer());
	} catch {
		// A file moved or deleted since it was picked.
		return `${file.name} could not be read.`;
	}
	return attachmentProblem(file, sniffImageType(head));
}

function tooMany(names: string[]): string {
	const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
	return `A message can carry at most ${MAX_ATTACHMENTS} photos; ${list} ${names.length === 1 ? 'was' : 'were'} not added.`;
}
