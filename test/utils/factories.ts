import { JwtService } from '@nestjs/jwt';
import { hash } from 'bcrypt';
import { randomBytes } from 'node:crypto';
import type { Role } from '../../src/common/permissions/permission-catalogue';
import { UsersRepository, type UserRecord } from '../../src/users/users.repository';
import type { TestApp } from './test-app';

export interface TestUser {
  user: UserRecord;
  id: string;
  email: string;
  password: string;
  accessToken: string;
  /** `Authorization` header value */
  auth: string;
}

let sequence = 0;

export function uniqueEmail(prefix = 'user'): string {
  sequence += 1;
  return `${prefix}-${sequence}-${randomBytes(3).toString('hex')}@example.com`;
}

/** Inserts a user directly and mints an access token for them. */
export async function createUser(
  t: TestApp,
  overrides: {
    role?: Role;
    email?: string;
    password?: string;
    name?: string;
    isEmailVerified?: boolean;
  } = {},
): Promise<TestUser> {
  const password = overrides.password ?? 'Passw0rd-long';
  const email = (overrides.email ?? uniqueEmail(overrides.role ?? 'user')).toLowerCase();
  const user = await t.app.get(UsersRepository).create({
    name: overrides.name ?? 'Test User',
    email,
    passwordHash: await hash(password, 4),
    role: overrides.role ?? 'user',
    isEmailVerified: overrides.isEmailVerified ?? false,
  });
  const id = String(user._id);
  const accessToken = await t.app
    .get(JwtService)
    .signAsync({ sub: id, role: user.role, type: 'access' }, { expiresIn: '30m' });
  return { user, id, email, password, accessToken, auth: `Bearer ${accessToken}` };
}

export function createAdmin(t: TestApp, overrides: { email?: string; password?: string } = {}) {
  return createUser(t, { ...overrides, role: 'admin' });
}
