import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import { avatarInitial } from '../../src/lib/messaging/avatar-initial.ts';
import Avatar from '../../src/lib/messaging/components/Avatar.svelte';

describe('avatarInitial', () => {
	it('takes a leading emoji whole, not half of its surrogate pair', () => {
		expect(avatarInitial('🦄 Unicorn Fan 🌈')).toBe('🦄');
	});

	it('takes flags, skin tones and joined emoji whole', () => {
		expect(avatarInitial('🇫🇷 Paris Finds')).toBe('🇫🇷');
		expect(avatarInitial('👍🏽 Thumbs')).toBe('👍🏽');
		expect(avatarInitial('👩‍👩‍👧 Family Shop')).toBe('👩‍👩‍👧');
	});

	it('keeps a letter and its combining accent together, uppercased', () => {
		expect(avatarInitial('e\u0301milie')).toBe('E\u0301');
		expect(avatarInitial('ana')).toBe('A');
		expect(avatarInitial('łukasz')).toBe('Ł');
	});

	it('uppercases only letters, and leaves a letter that would become two', () => {
		expect(avatarInitial('42 Records')).toBe('4');
		expect(avatarInitial('ßtraße')).toBe('ß');
		expect(avatarInitial('東京ショップ')).toBe('東');
	});

	it('skips leading spaces and gives nothing for an empty name', () => {
		expect(avatarInitial('  ben')).toBe('B');
		expect(avatarInitial('')).toBe('');
	});

	it('is what an avatar without a photo shows', () => {
		const { body } = render(Avatar, { props: { src: null, name: '🦄 Unicorn Fan 🌈' } });
		expect(body).toMatch(/>🦄<\/span>/);
	});
});
