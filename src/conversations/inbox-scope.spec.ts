import type { AuthUser } from '../common/decorators';
import { adminScope, crossesOwner, ownerScope } from '../common/scope/owner-scope';
import { readScopeOf } from './inbox-scope';

const admin: AuthUser = { id: 'a1', role: 'admin', email: 'admin@example.com' };
const user: AuthUser = { id: 'u1', role: 'user', email: 'user@example.com' };

describe('inbox read scope', () => {
  it('lets an admin read every inbox while admin inbox access is on', () => {
    expect(readScopeOf(admin, true)).toEqual(adminScope('a1'));
  });

  it('keeps an admin to their own inbox when admin inbox access is off', () => {
    expect(readScopeOf(admin, false)).toEqual(ownerScope('a1'));
  });

  it('keeps a user to their own inbox either way', () => {
    expect(readScopeOf(user, true)).toEqual(ownerScope('u1'));
    expect(readScopeOf(user, false)).toEqual(ownerScope('u1'));
  });

  it('flags only an admin’s reads of someone else’s inbox for the audit log', () => {
    expect(crossesOwner(readScopeOf(admin, true), 'u1')).toBe(true);
    expect(crossesOwner(readScopeOf(admin, true), 'a1')).toBe(false);
    expect(crossesOwner(readScopeOf(user, true), 'u2')).toBe(false);
  });
});
