import { messagingEndpoints } from 'bazaar-messaging/server';

export const { GET, POST, DELETE } = messagingEndpoints;
