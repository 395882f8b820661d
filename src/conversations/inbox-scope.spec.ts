import type { AuthUser } from '../common/decorators';
import { ownerScope, readScopeOf, readsOthersInbox } from './inbox-scope';

const admin: AuthUser = { id: 'a1', role: 'admin', email: 'admin@example.com' };
const user: AuthUser = { id: 'u1', role: 'user', email: 'user@example.com' };

describe('inbox scope', () => {
  it('lets an admin read every inbox while admin inbox access is on', () => {
    expect(readScopeOf(admin, true)).toEqual({ kind: 'admin', adminId: 'a1' });
  });

  it('keeps an admin to their own inbox when admin inbox access is off', () => {
    expect(readScopeOf(admin, false)).toEqual({ kind: 'owner', ownerId: 'a1' });
  });

  it('keeps a user to their own inbox either way', () => {
    expect(readScopeOf(user, true)).toEqual(ownerScope('u1'));
    expect(readScopeOf(user, false)).toEqual(ownerScope('u1'));
  });

  it('flags only an admin’s reads of someone else’s inbox', () => {
    expect(readsOthersInbox({ kind: 'admin', adminId: 'a1' }, 'u1')).toBe(true);
    expect(readsOthersInbox({ kind: 'admin', adminId: 'a1' }, 'a1')).toBe(false);
    expect(readsOthersInbox(ownerScope('u1'), 'u2')).toBe(false);
  });
});
