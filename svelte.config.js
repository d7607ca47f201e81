import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	compilerOptions: { runes: true },
	kit: {
		adapter: adapter(),
		// SvelteKit's cross-site form check cannot exempt one path, and a mail provider's one-click
		// unsubscribe (RFC 8058) posts from its own servers. The same check runs in hooks.server.ts
		// (formOriginGuard, first in the sequence) on every path but /unsubscribe, which acts only
		// on a link the database signed.
		csrf: { trustedOrigins: ['*'] },
		// Scripts only from this origin or with SvelteKit's per-response nonce. Styles allow
		// inline: Svelte's style: directives and transitions set style attributes at runtime.
		// Supabase mode adds its project's origin to connect-src and img-src (hooks.server.ts).
		csp: {
			mode: 'auto',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:', 'blob:'],
				'font-src': ['self'],
				'connect-src': ['self'],
				'frame-src': ['self'],
				'worker-src': ['self'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self'],
				'frame-ancestors': ['none']
			}
		}
	}
};

export default config;
