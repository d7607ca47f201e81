import pg from 'pg';

/** A pool that survives PostgreSQL dropping idle connections instead of crashing the process. */
export function createPool(connectionString: string, options: pg.PoolConfig = {}): pg.Pool {
	const pool = new pg.Pool({ connectionString, max: 10, idleTimeoutMillis: 30_000, ...options });
	pool.on('error', (error: Error & { code?: string }) => {
		// 57P01: PostgreSQL is shutting down (a restart, or our own stop); the pool reconnects on demand.
		if (error.code === '57P01') return;
		console.error(`[db] idle connection failed: ${error.message}`);
	});
	return pool;
}
