import { z } from 'zod';
import { MAX_ATTACHMENTS } from '../attachments/image-type.js';
import { tryParseConversationKey } from '../conversation-key.js';
import { parseAmount } from '../offers/amount.js';
import { BlockState, Message, ProductSummary, QUICK_REPLY_MAX_LENGTH, QuickReply, REACTION_EMOJI, ReadState, ReportReceipt } from './rows.js';

/** What a person may type: checked in the browser and the form action before SQL checks it again. */
export const MESSAGE_MAX_LENGTH = 4000;

export const ReportReason = z.enum(['spam', 'scam', 'abuse', 'other'], { error: 'Choose why you are reporting this message: spam, scam, abuse or other.' });
export type ReportReason = z.infer<typeof ReportReason>;

const NOT_VALID = 'Some of what was sent is not valid.';
const Id = z.uuid();
const Uuid = z.uuid({ error: NOT_VALID });
/** An optional id: a form sends an empty field for "none". */
const OptionalUuid = z.preprocess((value) => (value === '' || value === undefined ? null : value), Uuid.nullable());
const Flag = z.enum(['true', 'false'], { error: NOT_VALID }).transform((value) => value === 'true');
// Generous: the exact limit (in characters as PostgreSQL counts them) is the RPC's to enforce and explain.
// NUL goes here, as the database's clean_body drops the other control characters: PostgreSQL text
// cannot carry it, and refused, a pasted one left a "Not sent" bubble no retry could send.
const Body = z
	.string({ error: 'Write a message before sending.' })
	.max(20_000, `Messages can be at most ${MESSAGE_MAX_LENGTH} characters.`)
	.transform((body) => body.replaceAll('\0', ''));

/** The photos of a message: uploaded attachment ids, comma-separated, in order ('' or absent: none). */
const AttachmentIds = z
	.preprocess((value) => (value === undefined || value === '' ? [] : typeof value === 'string' ? value.split(',') : value), z.array(Uuid, { error: NOT_VALID }))
	.refine((ids) => ids.length <= MAX_ATTACHMENTS, `A message can have at most ${MAX_ATTACHMENTS} photos.`);

/**
 * An amount as typed (see offers/amount.ts for the rule) and the currency to read it in: the
 * listing's, which the form names because the RPC takes minor units and only the currency says
 * how many decimals a typed amount may have. Becomes `amount_cents`, in that currency's minor units.
 */
const TypedAmount = z.object({
	amount: z.string({ error: 'Type the amount you want to offer.' }),
	currency: z.string({ error: NOT_VALID }).regex(/^[A-Z]{3}$/, NOT_VALID)
});
function toMinorUnits(input: { amount: string; currency: string }, ctx: z.RefinementCtx): number {
	const parsed = parseAmount(input.amount, input.currency);
	if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
	return parsed.ok ? parsed.minor : 0;
}

const OfferAction = z.enum(['accept', 'decline', 'counter', 'withdraw'], { error: NOT_VALID });

export const ConversationKeyField = z.string({ error: 'This conversation link is not valid.' }).transform((value, ctx) => {
	const parts = tryParseConversationKey(value);
	if (!parts) {
		ctx.addIssue({ code: 'custom', message: 'This conversation link is not valid.' });
		return z.NEVER;
	}
	return parts;
});

/**
 * Every form action of the messages page, by name: what its form sends (as
 * `Object.fromEntries(formData)`) and what it answers. The server parses requests with the
 * inputs; the browser parses answers with the results.
 */
export const MessagingActions = {
	/** Into the open conversation by id; the first message of a new one goes by key. The body may be empty when photos are attached (the RPC decides). */
	send: {
		input: z
			.object({
				id: Uuid,
				body: Body,
				conversation_id: OptionalUuid,
				key: ConversationKeyField.optional(),
				reply_to: OptionalUuid,
				attachments: AttachmentIds
			})
			.refine((input) => input.conversation_id !== null || input.key !== undefined, 'This conversation link is not valid.'),
		result: Message
	},
	edit: { input: z.object({ id: Uuid, body: Body }), result: Message },
	delete: { input: z.object({ id: Uuid }), result: Message },
	archive: { input: z.object({ conversation_id: Uuid, archived: Flag }), result: ReadState },
	mute: { input: z.object({ conversation_id: Uuid, muted: Flag }), result: ReadState },
	block: { input: z.object({ user_id: Uuid, blocked: Flag }), result: BlockState },
	report: {
		input: z.object({ message_id: Uuid, reason: ReportReason, details: z.string({ error: NOT_VALID }).max(1000, 'Details can be at most 1000 characters.').default('') }),
		result: ReportReceipt
	},
	read: { input: z.object({ conversation_id: Uuid, up_to: OptionalUuid }), result: ReadState },
	/** Back among the unread ones, as one unread message, until read again; "Seen" stays with the other member. */
	unread: { input: z.object({ conversation_id: Uuid }), result: ReadState },
	/** Adds the person's reaction with this emoji to a message, or takes it back. */
	react: { input: z.object({ message_id: Uuid, emoji: z.enum(REACTION_EMOJI, { error: NOT_VALID }) }), result: Message },
	/** The buyer's offer, into the open conversation by id or (first contact) by key; answers with the offer card. */
	offer: {
		input: TypedAmount.extend({ id: Uuid, conversation_id: OptionalUuid, key: ConversationKeyField.optional() })
			.refine((input) => input.conversation_id !== null || input.key !== undefined, 'This conversation link is not valid.')
			.transform(({ id, conversation_id, key, ...typed }, ctx) => ({ id, amount_cents: toMinorUnits(typed, ctx), currency: typed.currency, conversation_id, key })),
		result: Message
	},
	/**
	 * Accept, decline or withdraw an offer; or counter it with an amount, `id` being the new
	 * card's message id (its idempotency key). Answers with the offer's newest card.
	 */
	respond: {
		input: z
			.object({ offer_id: Uuid, action: OfferAction, amount: z.string({ error: NOT_VALID }).optional(), currency: z.string({ error: NOT_VALID }).optional(), id: OptionalUuid })
			.transform(({ offer_id, action, amount, currency, id }, ctx) => {
				if (action !== 'counter') return { offer_id, action, amount_cents: null, currency: null, id: null };
				const typed = TypedAmount.safeParse({ amount, currency });
				if (!typed.success || id === null) {
					ctx.addIssue({ code: 'custom', message: typed.error?.issues[0]?.message ?? NOT_VALID });
					return z.NEVER;
				}
				return { offer_id, action, amount_cents: toMinorUnits(typed.data, ctx), currency: typed.data.currency, id };
			}),
		result: Message
	},
	/** The seller marks the listing sold to this conversation's buyer, or makes it available again. */
	listing: {
		input: z.object({ conversation_id: Uuid, status: z.enum(['sold', 'active'], { error: NOT_VALID }) }),
		result: ProductSummary
	},
	/** Saves a quick reply of the user's: a new one, or (same id) new text for one they have. */
	save_quick_reply: {
		input: z.object({
			id: Uuid,
			body: z
				.string({ error: 'Write the reply you want to keep.' })
				// A form posts each line break as CR LF: a reply the box counted at 494 of 500 characters
				// with ten lines was refused as too long, and kept its CRs when shorter. One each, as typed.
				.transform((body) => body.replaceAll('\r\n', '\n'))
				.pipe(
					z
						.string()
						.trim()
						.min(1, 'Write the reply you want to keep.')
						.max(QUICK_REPLY_MAX_LENGTH, `Quick replies can be at most ${QUICK_REPLY_MAX_LENGTH} characters.`)
				)
		}),
		result: QuickReply
	},
	delete_quick_reply: { input: z.object({ id: Uuid }), result: z.object({ id: Id }) }
} as const;

export type MessagingAction = keyof typeof MessagingActions;
export type ActionInput<A extends MessagingAction> = z.infer<(typeof MessagingActions)[A]['input']>;
export type ActionResultOf<A extends MessagingAction> = z.infer<(typeof MessagingActions)[A]['result']>;

/** The one shape every action answers with (inside SvelteKit's success or failure envelope). */
export const ActionFailure = z.object({
	action: z.string(),
	ok: z.literal(false),
	code: z.string(),
	message: z.string(),
	/** A refused send keeps what the person wrote. */
	body: z.string().optional()
});
export type ActionFailure = z.infer<typeof ActionFailure>;
