import { Types } from 'mongoose';
import { connectAccount, rawAccounts } from './utils/account-factories';
import { createUser, type TestUser } from './utils/factories';
import { createTestApp, type TestApp } from './utils/test-app';

const ACCOUNTS = 105;

describe('Instagram account list size', () => {
  let t: TestApp;
  let owner: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createUser(t);
    await connectAccount(t, owner);
    const [template] = await rawAccounts(t);
    const { _id: _omit, ...fields } = template;
    await t.connection.collection('instagram_accounts').insertMany(
      Array.from({ length: ACCOUNTS - 1 }, (_, i) => ({
        ...fields,
        _id: new Types.ObjectId(),
        instagramBusinessId: `178414000001${String(i).padStart(5, '0')}`,
        username: `copy_${i}`,
        createdAt: new Date(Date.now() - (i + 1) * 1000),
      })),
    );
  });

  afterAll(async () => {
    await t.close();
  });

  function list(query = '') {
    return t.http.get(`/v1/instagram${query}`).set('Authorization', owner.auth).expect(200);
  }

  it('answers up to 100 accounts when the client sends no limit, as the original did', async () => {
    const res = await list();
    expect(res.body).toHaveLength(100);
    const rest = await list('?skip=100');
    expect(rest.body).toHaveLength(ACCOUNTS - 100);
    const ids = new Set([...res.body, ...rest.body].map((a: { id: string }) => a.id));
    expect(ids.size).toBe(ACCOUNTS);
  });

  it('documents 100 as both the default and the maximum limit', async () => {
    const doc = await t.http.get('/docs-json').expect(200);
    const parameters = doc.body.paths['/v1/instagram'].get.parameters as {
      name: string;
      schema: Record<string, unknown>;
    }[];
    expect(parameters.filter((p) => p.name === 'limit')).toEqual([
      expect.objectContaining({
        required: false,
        schema: expect.objectContaining({ default: 100, maximum: 100, minimum: 1 }),
      }),
    ]);
    expect((await list('?limit=100')).body).toHaveLength(100);
  });
});
