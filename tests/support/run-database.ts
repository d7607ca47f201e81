// Runs the app's database start-up in its own process, as `npm run dev` does, for lifecycle tests.
import { readConfig } from '../../src/lib/server/config.ts';
import { prepareDatabase } from '../../src/lib/server/db/database.ts';

const database = await prepareDatabase(readConfig());
console.log(JSON.stringify({ url: database.url, dataDir: database.cluster!.dataDir }));
setInterval(() => {}, 60_000);
