import type { RpcCall } from './rpc-call';

/** What the app server does for email digests (the worker has its own connection). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DigestLinks {}

export function digestMethods(call: RpcCall): DigestLinks {
	void call;
	return {};
}
