import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { AttachmentSize } from '../../../messaging/schemas/index.js';
import { ATTACHMENT_SIZES, attachmentKey, isAttachmentId, type AttachmentStore } from './store.js';

/**
 * Photos as files: `<dir>/<attachment id>/{thumb,display}.webp`, for the plain-PostgreSQL modes
 * (`dir` is normally `<data directory>/attachments`). Paths are built only from validated
 * uuids, and each file is written to a temporary name, flushed and renamed, so a reader never
 * sees half a file and a crash leaves no file under the final name.
 */
export function folderAttachmentStore(options: { dir: string }): AttachmentStore {
	const { dir } = options;
	const folderOf = (id: string) => {
		if (!isAttachmentId(id)) throw new Error(`Not an attachment id: ${JSON.stringify(id)}`);
		return join(dir, id);
	};

	async function writeAtomically(path: string, data: Uint8Array) {
		const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
		const handle = await open(temporary, 'wx', 0o600);
		try {
			await handle.writeFile(data);
			await handle.sync();
		} finally {
			await handle.close();
		}
		try {
			await rename(temporary, path);
		} catch (e) {
			await rm(temporary, { force: true });
			throw e;
		}
	}

	return {
		async put(id, files) {
			const folder = folderOf(id);
			await mkdir(folder, { recursive: true, mode: 0o700 });
			try {
				for (const size of ATTACHMENT_SIZES) await writeAtomically(join(dir, attachmentKey(id, size)), files[size]);
			} catch (e) {
				// All or nothing: a photo with one of its two files is no photo.
				await rm(folder, { recursive: true, force: true });
				throw e;
			}
		},

		async open(id: string, size: AttachmentSize) {
			if (!isAttachmentId(id)) return null;
			const path = join(dir, attachmentKey(id, size));
			const found = await stat(path).catch((e: NodeJS.ErrnoException) => {
				if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return null;
				throw e;
			});
			if (!found?.isFile()) return null;
			return {
				kind: 'file',
				length: found.size,
				// Files are written once and never changed: size and time name this version.
				etag: `"${found.size.toString(36)}-${Math.trunc(found.mtimeMs).toString(36)}"`,
				stream: () => Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>
			};
		},

		async remove(ids) {
			for (const id of ids) await rm(folderOf(id), { recursive: true, force: true });
		}
	};
}
