import type { SubmitFunction } from '@sveltejs/kit';
import { tick } from 'svelte';
import { actionOutcome } from '../api';
import type { ThreadState } from '../state/thread.svelte';
import { MESSAGE_ROW } from './thread-rows';

/**
 * The enhance of a form that edits or deletes a message: the changed message replaces the shown
 * one at once, and a refusal goes to `onError` (an empty string clears it). `confirmFirst`
 * asks before anything is sent.
 */
export function messageChange(
	thread: ThreadState,
	name: 'edit' | 'delete',
	options: { onError: (message: string) => void; done?: () => void; confirmFirst?: string }
): SubmitFunction {
	return ({ cancel, formElement }) => {
		if (options.confirmFirst && !confirm(options.confirmFirst)) return cancel();
		const row = formElement.closest<HTMLElement>(MESSAGE_ROW);
		const askedAt = thread.cursor;
		return async ({ result }) => {
			const outcome = actionOutcome(name, result);
			options.onError(outcome.ok ? '' : outcome.message);
			if (!outcome.ok) return;
			const neighbours = row ? neighboursOf(row) : [];
			thread.answer(outcome.value, askedAt);
			options.done?.();
			if (row) void keepFocus([row, ...neighbours]);
		};
	};
}

/** The rows after a message, then before it, nearest first. */
function neighboursOf(row: HTMLElement): HTMLElement[] {
	const all = [...(row.parentElement?.querySelectorAll<HTMLElement>(MESSAGE_ROW) ?? [])];
	const index = all.indexOf(row);
	return [...all.slice(index + 1), ...all.slice(0, index).reverse()];
}

// A deleted message's actions go, and the focus on its Delete button fell to <body>: the next Tab
// went past the thread. It goes to the message (now "Message deleted"), or the nearest one left.
async function keepFocus(candidates: HTMLElement[]) {
	await tick();
	const active = document.activeElement;
	if (active && active !== document.body) return;
	candidates.find((candidate) => candidate.isConnected)?.focus();
}
