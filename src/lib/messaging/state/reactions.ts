import type { MessagingApi } from '../api';
import type { Reaction, ReactionEmoji } from '../schemas';
import type { ThreadState } from './thread.svelte';

/** Whether `userId` reacted to a message with `emoji`. */
export function hasReacted(reactions: readonly Reaction[], emoji: ReactionEmoji, userId: string): boolean {
	return reactions.some((reaction) => reaction.emoji === emoji && reaction.user_ids.includes(userId));
}

/**
 * The reactions with `userId`'s `emoji` set on or off, in the server's order: a new reactor
 * comes last, a new emoji comes last, an emoji nobody uses any more goes.
 */
export function withReaction(reactions: readonly Reaction[], emoji: ReactionEmoji, userId: string, on: boolean): Reaction[] {
	if (hasReacted(reactions, emoji, userId) === on) return [...reactions];
	if (on) {
		const known = reactions.some((reaction) => reaction.emoji === emoji);
		return known
			? reactions.map((reaction) => (reaction.emoji === emoji ? { emoji, user_ids: [...reaction.user_ids, userId] } : reaction))
			: [...reactions, { emoji, user_ids: [userId] }];
	}
	return reactions
		.map((reaction) => (reaction.emoji === emoji ? { emoji, user_ids: reaction.user_ids.filter((id) => id !== userId) } : reaction))
		.filter((reaction) => reaction.user_ids.length > 0);
}

/**
 * Who reacted, for the button's accessible name and tooltip: "👍 2: you and Ana". The viewer
 * is "you" and named first; anyone the thread cannot name is "someone".
 */
export function reactionLabel(reaction: Reaction, options: { me: string | null; names: Record<string, string> }): string {
	const mine = options.me !== null && reaction.user_ids.includes(options.me);
	const others = reaction.user_ids.filter((id) => id !== options.me).map((id) => options.names[id] ?? 'someone');
	const people = mine ? ['you', ...others] : others;
	const list = people.length === 1 ? people[0] : `${people.slice(0, -1).join(', ')} and ${people.at(-1)}`;
	return `${reaction.emoji} ${reaction.user_ids.length}: ${list}`;
}

/**
 * Toggles the viewer's reaction: shown at once, then the server's message is the truth (or the
 * toggle is undone). Returns why it failed, in words for the person, or null.
 */
export async function toggleReaction(options: {
	api: Pick<MessagingApi, 'action'>;
	thread: ThreadState;
	messageId: string;
	emoji: ReactionEmoji;
	me: string;
}): Promise<string | null> {
	const { api, thread, messageId, emoji, me } = options;
	if (thread.react(messageId, emoji, me) === null) return null;
	const askedAt = thread.cursor;
	const outcome = await api.action('react', { message_id: messageId, emoji });
	thread.reactSettled(messageId, emoji, outcome.ok ? outcome.value : null, askedAt);
	return outcome.ok ? null : outcome.message;
}
