import { createContext } from 'svelte';
import type { MessagingClient } from './messaging-client.svelte';

const [messagingContext, setMessaging] = createContext<MessagingClient>();

/** The tab's MessagingClient, set once by the layout and read by every messaging component. */
export { setMessaging };

/** The MessagingClient the layout set; a page without one is a setup mistake, and says which. */
export function getMessaging(): MessagingClient {
	try {
		return messagingContext();
	} catch (e) {
		// Svelte's own message, without saying which context or where it is set.
		if (!(e instanceof Error) || !e.message.includes('missing_context')) throw e;
		throw new Error(
			'Bazaar Messaging: no MessagingClient above this component. The root +layout.svelte must call setMessaging(new MessagingClient({ basePath, productHref })); see the README, "Use it in your marketplace", step 2.'
		);
	}
}
