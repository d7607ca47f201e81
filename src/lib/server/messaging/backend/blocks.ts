import { BlockBetween, BlockState } from '$lib/messaging/schemas/index.js';
import { id } from './ids.js';
import type { MessagingBackend } from './messaging-backend.js';
import type { RpcCall } from './rpc-call.js';

/** The block methods of the backend (block_user, unblock_user, block_between). */
export function blockMethods(call: RpcCall): Pick<MessagingBackend, 'blockUser' | 'unblockUser' | 'blockBetween'> {
	return {
		async blockUser({ userId }) {
			return BlockState.parse(await call('block_user', { p_user_id: id(userId, 'user') }, 'value'));
		},

		async unblockUser({ userId }) {
			return BlockState.parse(await call('unblock_user', { p_user_id: id(userId, 'user') }, 'value'));
		},

		async blockBetween({ userId }) {
			return BlockBetween.parse(await call('block_between', { p_user_id: id(userId, 'user') }, 'value'));
		}
	};
}
