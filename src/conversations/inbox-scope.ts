import type { AuthUser } from '../common/decorators';
import { adminScope, ownerScope, type OwnerScope } from '../common/scope/owner-scope';

/** How admins read other users' inboxes, for the OpenAPI descriptions of the read routes. */
export const ADMIN_INBOX_READS =
  'Admins read the conversations and messages of every account `GET /v1/instagram` shows ' +
  'them; each read of another user’s inbox is written to the audit log ' +
  '(`inbox.read_by_admin`: who, which account, when). With `ADMIN_INBOX_ACCESS=false` ' +
  'inboxes stay with their owners (404 for admins too). Writes are the owner’s alone.';

/**
 * The scope a caller reads conversations and messages in: an admin every account's while
 * ADMIN_INBOX_ACCESS is on, everyone else their own. Writes (sending, marking read,
 * deleting) always run in the owner's scope.
 */
export function readScopeOf(caller: AuthUser, adminInboxAccess: boolean): OwnerScope {
  return caller.role === 'admin' && adminInboxAccess
    ? adminScope(caller.id)
    : ownerScope(caller.id);
}
