import { describe, expect, it } from 'vitest';
import {
	formatConversationKey,
	InvalidConversationKeyError,
	parseConversationKey,
	tryParseConversationKey
} from '../../src/lib/messaging/conversation-key.ts';

const USER = '33333333-3333-4333-8333-333333333333';
const PRODUCT = 'a0000000-0000-4000-8000-000000000001';

describe('conversation keys', () => {
	it('a product key round-trips through format and parse', () => {
		const key = formatConversationKey({ otherUserId: USER, productId: PRODUCT });
		expect(key).toBe(`${USER}__${PRODUCT}`);
		expect(parseConversationKey(key)).toEqual({ otherUserId: USER, productId: PRODUCT });
	});

	it('no product is the general conversation, never null or "null" in the key', () => {
		expect(formatConversationKey({ otherUserId: USER, productId: null })).toBe(`${USER}__general`);
		expect(parseConversationKey(`${USER}__general`)).toEqual({ otherUserId: USER, productId: null });
		expect(tryParseConversationKey(`${USER}__null`)).toBeNull();
		expect(tryParseConversationKey(`${USER}__`)).toBeNull();
	});

	it('upper-case ids are normalised', () => {
		expect(parseConversationKey(`${USER.toUpperCase()}__${PRODUCT.toUpperCase()}`)).toEqual({ otherUserId: USER, productId: PRODUCT });
	});

	it.each([
		'',
		'general',
		USER,
		`${USER}_${PRODUCT}`,
		`${USER}__${PRODUCT}__extra`,
		`not-a-uuid__${PRODUCT}`,
		`${USER}__GENERAL__`,
		`${USER}__general'; drop table messages; --`,
		`../${USER}__general`
	])('rejects %j with a 400 error', (key) => {
		expect(tryParseConversationKey(key)).toBeNull();
		expect(() => parseConversationKey(key)).toThrow(InvalidConversationKeyError);
		try {
			parseConversationKey(key);
		} catch (error) {
			expect((error as InvalidConversationKeyError).status).toBe(400);
		}
	});
});
