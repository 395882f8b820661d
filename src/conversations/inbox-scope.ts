import type { AuthUser } from '../common/decorators';

/**
 * Whose conversations and messages a request reaches: one owner's (`owner`),
 * or every account's for an admin reading while ADMIN_INBOX_ACCESS is on
 * (`admin`). Writes (sending, marking read, deleting) always run in the owner
 * scope.
 */
export type InboxScope = { kind: 'owner'; ownerId: string } | { kind: 'admin'; adminId: string };

/** How admins read other users' inboxes, for the OpenAPI descriptions of the read routes. */
export const ADMIN_INBOX_READS =
  'Admins read the conversations and messages of every account `GET /v1/instagram` shows ' +
  'them; each read of another user’s inbox is written to the audit log ' +
  '(`inbox.read_by_admin`: who, which account, when). With `ADMIN_INBOX_ACCESS=false` ' +
  'inboxes stay with their owners (404 for admins too). Writes are the owner’s alone.';

export function ownerScope(ownerId: string): InboxScope {
  return { kind: 'owner', ownerId };
}

/** The scope a caller reads in: admins every inbox when allowed, everyone else their own. */
export function readScopeOf(caller: AuthUser, adminInboxAccess: boolean): InboxScope {
  return caller.role === 'admin' && adminInboxAccess
    ? { kind: 'admin', adminId: caller.id }
    : ownerScope(caller.id);
}

/** An admin reading an inbox that belongs to someone else (written to the audit log). */
export function readsOthersInbox(scope: InboxScope, ownerId: string): boolean {
  return scope.kind === 'admin' && scope.adminId !== ownerId;
}
