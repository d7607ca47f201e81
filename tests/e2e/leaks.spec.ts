import { withDatabase } from './database';
import { expect, test } from './fixtures';
import { leakCases, STREAM_WINDOW_MS, type LeakCase } from './leak-cases';
import { actionControls, readControls } from './leak-controls';
import { action, fingerprint, leaked, readStream, signedIn, type Actor, type Answer } from './leak-probe';
import { arrangeVictim } from './leak-victim';
import { DEMO } from './session';

/**
 * Nothing leaks through the HTTP layer: another member's conversation id, message ids, photo,
 * offer, quick reply, conversation key, page data, search, stream and sync never yield their
 * data, to members with no part in the conversation, to a visitor, or (for what is Ana's alone)
 * to the other member. Every case: an honest status (never a 5xx), none of the victim's secrets
 * in the body or headers, and the database unchanged by the kind of request. Positive controls
 * show the same requests do give the victim their data, so a request the app cannot read would
 * not pass as "no leak". Cases and controls live in leak-cases.ts and leak-controls.ts.
 */

test('another member’s conversation, messages, photo, offer and quick replies never reach anyone else', async ({ playwright, baseURL }) => {
	test.setTimeout(90_000);
	const started = Date.now();
	const origin = new URL(baseURL!).origin;
	const newContext = () => playwright.request.newContext({ baseURL });
	const actors: Record<Actor['name'], Actor> = {
		ana: await signedIn(newContext, origin, DEMO.ana.email, 'ana'),
		sam: await signedIn(newContext, origin, DEMO.sam.email, 'sam'),
		ben: await signedIn(newContext, origin, DEMO.ben.email, 'ben'),
		lee: await signedIn(newContext, origin, DEMO.lee.email, 'lee'),
		visitor: await signedIn(newContext, origin, null, 'visitor')
	};

	const failures: string[] = [];
	const byStatus = new Map<number, number>();
	let cases: LeakCase[] = [];
	await withDatabase(baseURL, async (db) => {
		const unread = async () =>
			(
				await db.query<{ n: number }>('select coalesce(sum(unread_count), 0)::int as n from public.conversation_members where user_id = any($1)', [
					[DEMO.ana.id, DEMO.sam.id]
				])
			).rows[0].n;
		const unreadBefore = await unread();
		const victim = await arrangeVictim(db, actors, origin);
		const context = { victim, origin, baseURL: baseURL! };
		const secrets = {
			private: [...victim.privateMarkers, victim.quickReplyId],
			all: [
				...victim.sharedMarkers,
				...victim.privateMarkers,
				...victim.messageIds,
				...victim.amounts,
				victim.conversationId,
				victim.attachmentId,
				victim.offerId,
				victim.quickReplyId
			]
		};

		// The matrix, a kind at a time, with the database checked around each kind.
		cases = leakCases(context);
		const kinds = new Map<string, LeakCase[]>();
		for (const c of cases) kinds.set(c.kind, [...(kinds.get(c.kind) ?? []), c]);
		for (const [kind, group] of kinds) {
			const before = await fingerprint(db);
			const answers: Answer[] = [];
			// Streams are read for a fixed window: side by side. Everything else one at a time.
			if (kind.includes('/stream')) answers.push(...(await Promise.all(group.map((c) => c.send(actors[c.who])))));
			else for (const c of group) answers.push(await c.send(actors[c.who]));
			group.forEach((c, i) => {
				const answer = answers[i];
				byStatus.set(answer.status, (byStatus.get(answer.status) ?? 0) + 1);
				if (process.env.LEAKS_VERBOSE) console.log(`${answer.status} ${c.label.slice(0, 150)}`);
				if (!c.allowed.includes(answer.status)) failures.push(`${c.label}: ${answer.status}, expected ${c.allowed.join('/')}: ${answer.text.slice(0, 160)}`);
				const found = leaked(
					answer,
					secrets[c.forbidden].filter((secret) => !c.names.includes(secret)),
					c.forbidden === 'all' ? victim.photoChunks : []
				);
				if (found.length) failures.push(`${c.label}: LEAK of ${found.join(', ')} (${answer.status})`);
			});
			const after = await fingerprint(db);
			const changed = Object.keys(before).filter((table) => before[table] !== after[table]);
			if (changed.length) failures.push(`${kind}: the database changed (${changed.join(', ')})`);
		}

		// Positive controls: the same reads give their owner the data.
		for (const control of readControls(context)) {
			const answer = await control.send(actors[control.who]);
			const missing = control.mustContain.filter((wanted) =>
				wanted === 'photo' ? !victim.photoChunks.some((chunk) => answer.bytes.includes(chunk)) : !answer.text.includes(wanted)
			);
			if (answer.status !== 200 || missing.length) failures.push(`control ${control.label}: ${answer.status}, missing ${missing.join(', ')}`);
		}

		// Typing reaches the conversation's members only: Ana's stream hears Sam, never Ben or Lee.
		const heard = readStream(baseURL!, actors.ana, `?cursor=${victim.anaEventIds[2]}`, null, STREAM_WINDOW_MS + 300);
		await new Promise((resolve) => setTimeout(resolve, 250));
		for (const who of ['ben', 'lee', 'sam'] as const) {
			await actors[who].api.post('/messages/typing', {
				headers: { origin },
				data: { conversation_id: victim.conversationId }
			});
		}
		const typing = (await heard).text;
		if (!typing.includes(DEMO.sam.id)) failures.push(`control: Ana's stream did not hear Sam typing: ${typing.slice(0, 200)}`);
		for (const who of ['ben', 'lee'] as const) if (typing.includes(DEMO[who].id)) failures.push(`LEAK: Ana's stream heard ${who} typing into her conversation`);

		// Positive controls: the same actions, by the members themselves, take effect.
		for (const control of actionControls(context)) {
			const answer = await control.send(actors[control.who]);
			// A plain form's done action (not a send) sends the browser back to the page, as a 303.
			const done = control.label.endsWith(' form') ? [200, 303] : [200, 201, 204];
			if (!done.includes(answer.status)) failures.push(`control ${control.label}: ${answer.status} ${answer.text.slice(0, 200)}`);
		}

		// Ana and Sam read what the matrix wrote them, so the specs after this one find the badges they left.
		for (const who of ['ana', 'sam'] as const) {
			const read = await action(actors[who].api, origin, 'read', { conversation_id: victim.conversationId }, true);
			if (read.status() !== 200) failures.push(`${who} could not mark the conversation read: ${read.status()}`);
		}
		const unreadAfter = await unread();
		if (unreadAfter !== unreadBefore) failures.push(`Ana and Sam have ${unreadAfter} unread messages after the matrix, ${unreadBefore} before`);
	});
	for (const actor of Object.values(actors)) await actor.api.dispose();

	const table = [...byStatus].sort(([a], [b]) => a - b).map(([status, n]) => `${status}: ${n}`);
	const kinds = new Set(cases.map((c) => c.kind)).size;
	console.log(
		`leak matrix: ${cases.length} cases, ${kinds} kinds; by status ${table.join(', ')}; ${failures.length} failures in ${((Date.now() - started) / 1000).toFixed(1)} s`
	);
	expect(failures).toEqual([]);
});
