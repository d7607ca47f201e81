import { dataExportEndpoint } from '$lib/server';

/** "Download my data": the signed-in member's messages as a streamed JSON file; photo links point into /messages. */
export const GET = dataExportEndpoint({ basePath: '/messages' });
