import { z } from 'zod';
import { Id } from '../schemas';
import { TabChannel } from './tab-channel';

/**
 * What one tab tells the member's other tabs of this browser about the session. A sign-out is
 * said as its form submits, so a tab whose feed then stops can say "You signed out" rather than
 * guess; a sign-in is said once its page has the member, so a tab left saying the session ended
 * comes back at once rather than at its next navigation. The server's 401s stay the authority:
 * this only words and hastens what they decide.
 */
export const SessionNews = z.object({ type: z.enum(['signed-in', 'signed-out']), member: Id.nullable() });
export type SessionNews = z.infer<typeof SessionNews>;

export class SessionTabs extends TabChannel<SessionNews> {
	constructor() {
		super('bazaar-messaging:session', SessionNews);
	}
}
