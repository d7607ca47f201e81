import { dataExportEndpoint } from '$lib/server';

/**
 * "Download my data": the signed-in member's messages as a streamed JSON file; photo links point
 * into /messages. Refused (3 an hour), the browser comes back to the account page, which says why.
 */
export const GET = dataExportEndpoint({ basePath: '/messages', backTo: '/account' });
