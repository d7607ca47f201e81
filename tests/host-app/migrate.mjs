// The host's deploy step, in plain Node: the installed package's runner brings DATABASE_URL up
// to date (the shim, then the package's migrations). Prints the versions it applied, as JSON.
import { migrateMessaging } from 'bazaar-messaging/server';

const connectionString = process.env.DATABASE_URL;
if (!connectionString) throw new Error('DATABASE_URL is not set');
console.log(JSON.stringify(await migrateMessaging({ connectionString })));
