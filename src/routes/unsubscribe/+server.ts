// Mail clients' one-click unsubscribe (RFC 8058): POSTs that do not ask for HTML come here, the
// page's own button goes to its form action (+page.server.ts). So do GETs that do not ask for
// HTML (a link scanner, curl): they change nothing.
export { oneClickUnsubscribe as POST, unsubscribeLinkFetched as GET } from '$lib/server';
