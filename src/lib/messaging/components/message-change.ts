import type { SubmitFunction } from '@sveltejs/kit';
import { actionOutcome } from '../api';
import type { ThreadState } from '../state/thread.svelte';

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
	return ({ cancel }) => {
		if (options.confirmFirst && !confirm(options.confirmFirst)) return cancel();
		return async ({ result }) => {
			const outcome = actionOutcome(name, result);
			options.onError(outcome.ok ? '' : outcome.message);
			if (!outcome.ok) return;
			thread.confirm(outcome.value);
			options.done?.();
		};
	};
}
