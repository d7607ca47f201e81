import { messagingEndpoints } from '$lib/server';

export const { GET, POST, DELETE } = messagingEndpoints;
