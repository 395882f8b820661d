import { Types } from 'mongoose';
import { createAdmin, createUser, uniqueEmail, type TestUser } from './utils/factories';
import { createTestApp, type TestApp } from './utils/test-app';

const PASSWORD = 'Passw0rd-long';
const NEW_PASSWORD = 'Brand-new-passw0rd';

describe('Users: administration', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ env: { AUTH_THROTTLE_LIMIT: '10000' } });
    admin = await createAdmin(t);
  });

  afterAll(async () => {
    await t.close();
  });

  const users = () => t.connection.collection('users');
  const refreshTokens = () => t.connection.collection('refresh_tokens');
  const auditLogs = () => t.connection.collection('audit_logs');
  const stored = (id: string) => users().findOne({ _id: new Types.ObjectId(id) });

  function login(email: string, password = PASSWORD) {
    return t.http.post('/v1/auth/login').send({ email, password });
  }

  describe('permissions', () => {
    it('refuses every admin route to a user with 403 naming the permission, writing nothing', async () => {
      const user = await createUser(t);
      const target = await createUser(t);
      const before = await users().find().toArray();
      const calls = [
        t.http.get('/v1/users'),
        t.http
          .post('/v1/users')
          .send({ name: 'X', email: uniqueEmail(), password: PASSWORD, role: 'admin' }),
        t.http.get(`/v1/users/${target.id}`),
        t.http.patch(`/v1/users/${target.id}`).send({ role: 'admin' }),
        t.http.patch(`/v1/users/${user.id}`).send({ role: 'admin' }),
        t.http.delete(`/v1/users/${target.id}`),
      ];
      for (const call of calls) {
        const res = await call.set('Authorization', user.auth).expect(403);
        expect(res.body.error).toMatchObject({
          code: 403,
          message: 'Missing permission: manage-users',
        });
      }
      expect(await users().find().toArray()).toEqual(before);
    });

    it('refuses admin routes without a token with 401', async () => {
      await t.http.get('/v1/users').expect(401);
      await t.http.delete(`/v1/users/${admin.id}`).expect(401);
    });
  });

  describe('GET /v1/users', () => {
    it('lists users newest first with total, limit and skip', async () => {
      const res = await t.http.get('/v1/users').set('Authorization', admin.auth).expect(200);
      expect(res.body).toMatchObject({ limit: 20, skip: 0, total: await users().countDocuments() });
      const dates = res.body.users.map((u: { createdAt: string }) => u.createdAt);
      expect([...dates].sort().reverse()).toEqual(dates);
      expect(Object.keys(res.body.users[0]).sort()).toEqual(
        [
          'createdAt',
          'email',
          'id',
          'isDisabled',
          'isEmailVerified',
          'name',
          'role',
          'updatedAt',
        ].sort(),
      );
    });

    it('pages with limit and skip', async () => {
      await createUser(t);
      await createUser(t);
      const all = await t.http
        .get('/v1/users?limit=100')
        .set('Authorization', admin.auth)
        .expect(200);
      const page = await t.http
        .get('/v1/users?limit=1&skip=1')
        .set('Authorization', admin.auth)
        .expect(200);
      expect(page.body).toMatchObject({ limit: 1, skip: 1, total: all.body.total });
      expect(page.body.users).toEqual([all.body.users[1]]);
    });

    it('filters by role and by a case-insensitive part of the name or email', async () => {
      const marker = `Zed${Date.now()}`;
      const named = await createUser(t, { name: `${marker} Person` });
      const mailed = await createUser(t, { email: `${marker.toLowerCase()}@example.org` });
      const res = await t.http
        .get('/v1/users')
        .query({ search: marker.toUpperCase() })
        .set('Authorization', admin.auth)
        .expect(200);
      expect(res.body.users.map((u: { id: string }) => u.id).sort()).toEqual(
        [named.id, mailed.id].sort(),
      );
      const admins = await t.http
        .get('/v1/users?role=admin')
        .set('Authorization', admin.auth)
        .expect(200);
      expect(admins.body.users.every((u: { role: string }) => u.role === 'admin')).toBe(true);
      expect(admins.body.users.map((u: { id: string }) => u.id)).toContain(admin.id);
    });

    it('treats search text literally, not as a pattern', async () => {
      await createUser(t, { name: 'axb literal' });
      const res = await t.http
        .get('/v1/users')
        .query({ search: 'a.b' })
        .set('Authorization', admin.auth)
        .expect(200);
      expect(res.body.users).toEqual([]);
      await t.http
        .get('/v1/users')
        .query({ search: '(' })
        .set('Authorization', admin.auth)
        .expect(200);
    });

    it.each(['limit=101', 'limit=0', 'skip=-1', 'role=owner', 'sort=name'])(
      'refuses ?%s with 400',
      async (query) => {
        await t.http.get(`/v1/users?${query}`).set('Authorization', admin.auth).expect(400);
      },
    );
  });

  describe('POST /v1/users', () => {
    it('creates a user who can sign in, and records it', async () => {
      const email = uniqueEmail('created');
      const res = await t.http
        .post('/v1/users')
        .set('Authorization', admin.auth)
        .send({ name: 'Created', email, password: PASSWORD, role: 'admin' })
        .expect(201);
      expect(res.body).toMatchObject({
        name: 'Created',
        email,
        role: 'admin',
        isDisabled: false,
        isEmailVerified: false,
      });
      expect(res.body.passwordHash).toBeUndefined();
      await login(email).expect(200);
      expect(
        await auditLogs().findOne({ action: 'user.created', 'metadata.email': email }),
      ).toMatchObject({ actor: admin.user._id, metadata: { role: 'admin' } });
    });

    it.each([
      ['a duplicate email', 409, () => ({ email: admin.email.toUpperCase() })],
      ['a weak password', 400, () => ({ password: 'short' })],
      ['an unknown role', 400, () => ({ role: 'owner' })],
      ['a missing role', 400, () => ({ role: undefined })],
      ['an unknown field', 400, () => ({ isDisabled: true })],
      ['an operator as email', 400, () => ({ email: { $gt: '' } })],
    ])('refuses %s with %i and writes nothing', async (_label, status, override) => {
      const before = await users().countDocuments();
      await t.http
        .post('/v1/users')
        .set('Authorization', admin.auth)
        .send({
          name: 'New',
          email: uniqueEmail(),
          password: PASSWORD,
          role: 'user',
          ...override(),
        })
        .expect(status);
      expect(await users().countDocuments()).toBe(before);
    });
  });

  describe('GET /v1/users/:userId', () => {
    it('returns the user', async () => {
      const user = await createUser(t);
      const res = await t.http
        .get(`/v1/users/${user.id}`)
        .set('Authorization', admin.auth)
        .expect(200);
      expect(res.body).toMatchObject({ id: user.id, email: user.email, isDisabled: false });
    });

    it('answers 400 for a malformed id and 404 for an unknown one', async () => {
      await t.http.get('/v1/users/not-an-id').set('Authorization', admin.auth).expect(400);
      const res = await t.http
        .get(`/v1/users/${new Types.ObjectId().toHexString()}`)
        .set('Authorization', admin.auth)
        .expect(404);
      expect(res.body.error.message).toBe('User not found');
    });
  });

  describe('PATCH /v1/users/:userId', () => {
    it('changes name and email and records it', async () => {
      const user = await createUser(t, { isEmailVerified: true });
      const email = uniqueEmail('renamed');
      const res = await t.http
        .patch(`/v1/users/${user.id}`)
        .set('Authorization', admin.auth)
        .send({ name: 'Renamed', email })
        .expect(200);
      expect(res.body).toMatchObject({ name: 'Renamed', email, isEmailVerified: false });
      expect(
        await auditLogs().findOne({ action: 'user.updated', subjectUser: user.user._id }),
      ).toMatchObject({ actor: admin.user._id, metadata: { fields: ['name', 'email'] } });
    });

    it('applies a role change to the user’s existing token at once', async () => {
      const user = await createUser(t);
      await t.http.get('/v1/users').set('Authorization', user.auth).expect(403);
      await t.http
        .patch(`/v1/users/${user.id}`)
        .set('Authorization', admin.auth)
        .send({ role: 'admin' })
        .expect(200);
      await t.http.get('/v1/users').set('Authorization', user.auth).expect(200);
      await t.http
        .patch(`/v1/users/${user.id}`)
        .set('Authorization', admin.auth)
        .send({ role: 'user' })
        .expect(200);
      await t.http.get('/v1/users').set('Authorization', user.auth).expect(403);
      expect(
        await auditLogs().countDocuments({
          action: 'user.role_changed',
          subjectUser: user.user._id,
        }),
      ).toBe(2);
    });

    it('disabling a user stops their tokens at once; enabling lets them sign in again', async () => {
      const user = await createUser(t);
      const session = (await login(user.email).expect(200)).body.tokens;
      await t.http.get('/v1/users/me').set('Authorization', user.auth).expect(200);

      await t.http
        .patch(`/v1/users/${user.id}`)
        .set('Authorization', admin.auth)
        .send({ isDisabled: true })
        .expect(200);
      const res = await t.http.get('/v1/users/me').set('Authorization', user.auth).expect(401);
      expect(res.body.error.message).toBe('User is disabled');
      await t.http
        .post('/v1/auth/refresh-tokens')
        .send({ refreshToken: session.refresh.token })
        .expect(401);
      await login(user.email).expect(403);

      await t.http
        .patch(`/v1/users/${user.id}`)
        .set('Authorization', admin.auth)
        .send({ isDisabled: false })
        .expect(200);
      await t.http.get('/v1/users/me').set('Authorization', user.auth).expect(200);
      await login(user.email).expect(200);
      const actions = await auditLogs()
        .find({ subjectUser: user.user._id, action: { $in: ['user.disabled', 'user.enabled'] } })
        .toArray();
      expect(actions.map((a) => a.action).sort()).toEqual(['user.disabled', 'user.enabled']);
    });

    it('sets a password and ends the user’s sessions', async () => {
      const user = await createUser(t);
      const session = (await login(user.email).expect(200)).body.tokens;
      await t.http
        .patch(`/v1/users/${user.id}`)
        .set('Authorization', admin.auth)
        .send({ password: NEW_PASSWORD })
        .expect(200);
      await login(user.email).expect(401);
      await login(user.email, NEW_PASSWORD).expect(200);
      await t.http
        .post('/v1/auth/refresh-tokens')
        .send({ refreshToken: session.refresh.token })
        .expect(401);
    });

    it.each([
      ['a taken email', 409, () => ({ email: admin.email })],
      ['a taken email with a role change', 409, () => ({ email: admin.email, role: 'admin' })],
      ['a weak password', 400, () => ({ password: 'password' })],
      ['an unknown role', 400, () => ({ role: 'root' })],
      ['a non-boolean disabled flag', 400, () => ({ isDisabled: 'yes' })],
      ['an unknown field', 400, () => ({ passwordHash: 'x' })],
      ['an operator as name', 400, () => ({ name: { $set: 'x' } })],
    ])('refuses %s with %i and changes nothing', async (_label, status, body) => {
      const user = await createUser(t);
      const before = await stored(user.id);
      await t.http
        .patch(`/v1/users/${user.id}`)
        .set('Authorization', admin.auth)
        .send(body())
        .expect(status);
      expect(await stored(user.id)).toEqual(before);
    });

    it('answers 400 for a malformed id and 404 for an unknown one', async () => {
      await t.http
        .patch('/v1/users/123')
        .set('Authorization', admin.auth)
        .send({ name: 'X' })
        .expect(400);
      await t.http
        .patch(`/v1/users/${new Types.ObjectId().toHexString()}`)
        .set('Authorization', admin.auth)
        .send({ name: 'X' })
        .expect(404);
    });
  });

  describe('DELETE /v1/users/:userId', () => {
    it('deletes the user and their sessions; their token stops working at once', async () => {
      const user = await createUser(t);
      const session = (await login(user.email).expect(200)).body.tokens;
      await t.http.get('/v1/users/me').set('Authorization', user.auth).expect(200);

      await t.http.delete(`/v1/users/${user.id}`).set('Authorization', admin.auth).expect(204);

      expect(await stored(user.id)).toBeNull();
      expect(await refreshTokens().countDocuments({ user: user.user._id })).toBe(0);
      const res = await t.http.get('/v1/users/me').set('Authorization', user.auth).expect(401);
      expect(res.body.error.message).toBe('User no longer exists');
      await t.http
        .post('/v1/auth/refresh-tokens')
        .send({ refreshToken: session.refresh.token })
        .expect(401);
      expect(
        await auditLogs().findOne({ action: 'user.deleted', subjectUser: user.user._id }),
      ).toMatchObject({ actor: admin.user._id, metadata: { email: user.email, role: 'user' } });
      await t.http.delete(`/v1/users/${user.id}`).set('Authorization', admin.auth).expect(404);
    });

    it('answers 400 for a malformed id', async () => {
      const before = await users().countDocuments();
      await t.http.delete('/v1/users/zzz').set('Authorization', admin.auth).expect(400);
      expect(await users().countDocuments()).toBe(before);
    });
  });
});

describe('Users: last-admin protection', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await createTestApp();
  });

  afterEach(async () => {
    await t.close();
  });

  const stored = (id: string) =>
    t.connection.collection('users').findOne({ _id: new Types.ObjectId(id) });

  it('refuses to let the only admin demote, disable or delete themselves, with 409', async () => {
    const admin = await createAdmin(t);
    const before = await stored(admin.id);
    for (const call of [
      t.http.patch(`/v1/users/${admin.id}`).send({ role: 'user' }),
      t.http.patch(`/v1/users/${admin.id}`).send({ isDisabled: true }),
      t.http
        .patch(`/v1/users/${admin.id}`)
        .send({ role: 'user', isDisabled: true, name: 'Renamed' }),
      t.http.delete(`/v1/users/${admin.id}`),
    ]) {
      const res = await call.set('Authorization', admin.auth).expect(409);
      expect(res.body.error.message).toBe(
        'At least one enabled admin must remain: this change would remove the last one',
      );
    }
    expect(await stored(admin.id)).toEqual(before);
    await t.http.get('/v1/users').set('Authorization', admin.auth).expect(200);
  });

  it('does not count a disabled admin as a remaining admin', async () => {
    const admin = await createAdmin(t);
    const dormant = await createAdmin(t);
    await t.http
      .patch(`/v1/users/${dormant.id}`)
      .set('Authorization', admin.auth)
      .send({ isDisabled: true })
      .expect(200);
    await t.http
      .patch(`/v1/users/${admin.id}`)
      .set('Authorization', admin.auth)
      .send({ role: 'user' })
      .expect(409);
  });

  it('lets an admin step down or leave while another enabled admin remains', async () => {
    const first = await createAdmin(t);
    const second = await createAdmin(t);
    await t.http
      .patch(`/v1/users/${first.id}`)
      .set('Authorization', first.auth)
      .send({ role: 'user' })
      .expect(200);
    await t.http.get('/v1/users').set('Authorization', first.auth).expect(403);
    await t.http.delete(`/v1/users/${second.id}`).set('Authorization', second.auth).expect(409);
    await t.http
      .patch(`/v1/users/${first.id}`)
      .set('Authorization', second.auth)
      .send({ role: 'admin' })
      .expect(200);
    await t.http.delete(`/v1/users/${second.id}`).set('Authorization', second.auth).expect(204);
    expect(await stored(second.id)).toBeNull();
  });
});
