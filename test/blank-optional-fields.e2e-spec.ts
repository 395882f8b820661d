import { Types } from 'mongoose';
import { connectAccount, countAccounts, rawAccounts } from './utils/account-factories';
import { createAdmin, createUser, uniqueEmail, type TestUser } from './utils/factories';
import { createTestApp, type TestApp } from './utils/test-app';

describe('Blank optional fields mean "not given", on every route', () => {
  let t: TestApp;
  let owner: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ env: { AUTH_THROTTLE_LIMIT: '10000' } });
  });

  afterAll(async () => {
    await t.close();
  });

  beforeEach(async () => {
    await t.connection.collection('instagram_accounts').deleteMany({});
    owner = await createUser(t);
  });

  const users = () => t.connection.collection('users');

  it('connects a Facebook Login account with blank fallbacks, storing Meta’s values', async () => {
    const sim = t.simulator.addAccount({ connectionType: 'facebook', followersCount: 77 });
    const res = await t.http
      .post('/v1/instagram')
      .set('Authorization', owner.auth)
      .send({
        pageId: sim.pageId,
        instagramBusinessId: sim.instagramBusinessId,
        pageAccessToken: sim.accessToken,
        accessToken: '',
        username: '',
        profilePictureUrl: '',
        followersCount: '',
      })
      .expect(201);
    expect(res.body).toMatchObject({
      connectionType: 'facebook',
      username: sim.username,
      profilePictureUrl: sim.profilePictureUrl,
      followersCount: 77,
    });
    const [stored] = await rawAccounts(t);
    expect(stored).toMatchObject({
      username: sim.username,
      profilePictureUrl: sim.profilePictureUrl,
      followersCount: 77,
    });
  });

  it('connects an Instagram Login account whose form left the Facebook Login fields blank', async () => {
    const sim = t.simulator.addAccount({ connectionType: 'instagram' });
    const res = await t.http
      .post('/v1/instagram')
      .set('Authorization', owner.auth)
      .send({
        accessToken: sim.accessToken,
        instagramBusinessId: '',
        pageId: '',
        pageAccessToken: '',
        username: '',
        profilePictureUrl: '',
      })
      .expect(201);
    expect(res.body).toMatchObject({
      connectionType: 'instagram',
      instagramBusinessId: sim.instagramBusinessId,
      username: sim.username,
      pageId: null,
    });
    const [stored] = await rawAccounts(t);
    expect(stored.username).toBe(sim.username);
    expect(stored.pageId ?? null).toBeNull();
  });

  it('still refuses a connection whose only token is blank with 400, storing nothing', async () => {
    const res = await t.http
      .post('/v1/instagram')
      .set('Authorization', owner.auth)
      .send({ accessToken: '', username: '' })
      .expect(400);
    expect(res.body.error.code).toBe(400);
    expect(await countAccounts(t)).toBe(0);
  });

  it('leaves an account unchanged by blank fields of a PATCH, applying the others', async () => {
    const { id, sim } = await connectAccount(t, owner);
    const res = await t.http
      .patch(`/v1/instagram/${id}`)
      .set('Authorization', owner.auth)
      .send({ username: '', profilePictureUrl: '', followersCount: 5 })
      .expect(200);
    expect(res.body).toMatchObject({ username: sim.username, followersCount: 5 });
    const [stored] = await rawAccounts(t);
    expect(stored).toMatchObject({
      username: sim.username,
      profilePictureUrl: sim.profilePictureUrl,
      followersCount: 5,
    });
  });

  it('answers a PATCH made only of blank fields as an empty one (400), changing nothing', async () => {
    const { id } = await connectAccount(t, owner);
    const [before] = await rawAccounts(t);
    await t.http
      .patch(`/v1/instagram/${id}`)
      .set('Authorization', owner.auth)
      .send({ username: '', profilePictureUrl: '' })
      .expect(400);
    expect(await rawAccounts(t)).toEqual([before]);
  });

  it('keeps the profile when PATCH /v1/users/me sends blank name, email and password', async () => {
    const before = await users().findOne({ _id: new Types.ObjectId(owner.id) });
    const res = await t.http
      .patch('/v1/users/me')
      .set('Authorization', owner.auth)
      .send({ name: '', email: '', password: '', currentPassword: '' })
      .expect(200);
    expect(res.body).toMatchObject({ name: 'Test User', email: owner.email });
    expect(await users().findOne({ _id: new Types.ObjectId(owner.id) })).toEqual(before);
  });

  it('reads blank query parameters as absent: ?limit=&skip=&role=&search=', async () => {
    const admin = await createAdmin(t);
    const accounts = await t.http
      .get('/v1/instagram?limit=&skip=')
      .set('Authorization', owner.auth)
      .expect(200);
    expect(accounts.body).toEqual([]);
    const listed = await t.http
      .get('/v1/users?limit=&role=&search=')
      .set('Authorization', admin.auth)
      .expect(200);
    const all = await t.http.get('/v1/users').set('Authorization', admin.auth).expect(200);
    expect(listed.body).toEqual(all.body);
  });

  it('still refuses blank required fields with 400, writing nothing', async () => {
    const before = await users().countDocuments();
    for (const body of [
      { name: '', email: uniqueEmail('blank'), password: 'Passw0rd-long' },
      { name: 'Ada', email: '', password: 'Passw0rd-long' },
      { name: 'Ada', email: uniqueEmail('blank'), password: '' },
    ]) {
      const res = await t.http.post('/v1/auth/register').send(body).expect(400);
      expect(res.body.error.details).toHaveLength(1);
    }
    await t.http.post('/v1/auth/login').send({ email: owner.email, password: '' }).expect(400);
    await t.http.post('/v1/auth/refresh-tokens').send({ refreshToken: '' }).expect(400);
    expect(await users().countDocuments()).toBe(before);
  });
});
