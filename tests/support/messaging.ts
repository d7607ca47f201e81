import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { expect } from 'vitest';
import { MessagingError } from '../../src/lib/messaging/errors.ts';
import type { ConversationPreview } from '../../src/lib/messaging/schemas/index.ts';
import { postgresMessaging } from '../../src/lib/server/messaging/backend/postgres.ts';
import type { MessagingBackend } from '../../src/lib/server/messaging/backend/messaging-backend.ts';
import { claimsFor } from './database.ts';
import { createProduct, createUser, type TestUser } from './factories.ts';

/** A user with the messaging backend acting as them, through the Postgres adapter. */
export interface Actor extends TestUser {
	api: MessagingBackend;
}

export async function createActor(db: pg.Pool, overrides: Parameters<typeof createUser>[1] = {}): Promise<Actor> {
	const user = await createUser(db, overrides);
	return { ...user, api: postgresMessaging({ pool: db, claims: claimsFor(user.id, user.email) }) };
}

/** A buyer, a seller and one of the seller's products. */
export async function marketplace(db: pg.Pool) {
	const buyer = await createActor(db);
	const seller = await createActor(db);
	const product = await createProduct(db, seller.id);
	return { buyer, seller, product };
}

/** Sends from `from` to `to` about `productId` (or generally), with a fresh client id. */
export function send(from: Actor, to: Actor, body: string, productId: string | null = null, id: string = randomUUID()) {
	return from.api.sendMessage({ id, body, to: { otherUserId: to.id, productId } });
}

/** The MessagingError a call rejects with; fails the test if it resolves or throws anything else. */
export async function rejection(promise: Promise<unknown>): Promise<MessagingError> {
	const error = await promise.then(
		() => null,
		(e: unknown) => e
	);
	expect(error).toBeInstanceOf(MessagingError);
	return error as MessagingError;
}

/** The actor's inbox row of a conversation (among their newest 99); fails the test if it is not there. */
export async function previewOf(actor: Actor, conversationId: string): Promise<ConversationPreview> {
	const { previews } = await actor.api.listConversationPreviews({ limit: 99 });
	const found = previews.find((p) => p.conversation_id === conversationId);
	if (!found) throw new Error('conversation not in the inbox');
	return found;
}
