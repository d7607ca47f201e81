/** The seed's members (supabase/seed.sql), all with the password `password123`. */
export const DEMO_LOGINS = [
	{ email: 'ana@example.com', role: 'buyer' },
	{ email: 'ben@example.com', role: 'buyer' },
	{ email: 'sam@example.com', role: 'seller' },
	{ email: 'lee@example.com', role: 'seller' }
] as const;

export type DemoLogin = (typeof DEMO_LOGINS)[number];
