// Mail clients' one-click unsubscribe (RFC 8058): POSTs that do not ask for HTML come here, the
// page's own button goes to its form action (+page.server.ts).
export { oneClickUnsubscribe as POST } from '$lib/server';
