import type { RpcCall } from './rpc-call';

/** A member's own data: downloading it, erasing the account. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AccountData {}

export function accountMethods(call: RpcCall): AccountData {
	void call;
	return {};
}
