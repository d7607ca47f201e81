/** What a host app sets when it makes the tab's MessagingClient. */
export interface MessagingOptions {
	/** Where the messages page is mounted; its endpoints live under it. Default `/messages`. */
	basePath?: string;
	/** The link of a product page. Default `/products/<id>`. */
	productHref?: (productId: string) => string;
	/** Threads kept in memory. */
	maxThreads?: number;
	/** The site's name, after the messages page's title ("Messages · Bazaar"). Default: none. */
	siteName?: string;
	/** Where to sign in again, coming back to `next` (a path). Default `/login?next=<next>`. */
	loginHref?: (next: string) => string;
}
