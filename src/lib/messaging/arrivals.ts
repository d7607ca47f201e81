/**
 * Which message of an open thread has just arrived from the other member, to be read out.
 * The first look at a thread announces nothing: what was there when it opened did not arrive.
 * Only stored messages count: one's own sends wait at the bottom while sending or failed, and
 * must not hide what arrives meanwhile.
 */
export class ArrivalWatch {
	#newestId: string | null | undefined = undefined;

	/** The newest stored message if it is new since the last look and from someone else, else null. */
	look<M extends { id: string; sender_id: string; deleted_at: string | null; status?: string }>(messages: readonly M[], me: string | null): M | null {
		const newest = messages.findLast((m) => m.status === undefined || m.status === 'sent') ?? null;
		const first = this.#newestId === undefined;
		if (!first && newest?.id === this.#newestId) return null;
		this.#newestId = newest?.id ?? null;
		return !first && newest && newest.sender_id !== me && !newest.deleted_at ? newest : null;
	}
}
