import { CORS_METHODS } from '../src/common/http/cors-options';
import { connectAccount } from './utils/account-factories';
import { createUser } from './utils/factories';
import { createTestApp, type TestApp } from './utils/test-app';

const APP_ORIGIN = 'https://app.example.com';
const OTHER_ORIGIN = 'https://other.example.com';
const REQUESTED_HEADERS = 'authorization,content-type,idempotency-key';

function listOf(header: string | undefined): string[] {
  return (header ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter(Boolean);
}

function preflight(t: TestApp, path: string, method: string, origin: string) {
  return t.http
    .options(path)
    .set('Origin', origin)
    .set('Access-Control-Request-Method', method)
    .set('Access-Control-Request-Headers', REQUESTED_HEADERS);
}

describe('CORS with a list of allowed origins', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { CORS_ORIGINS: `${APP_ORIGIN}, https://admin.example.com` } });
  });

  afterAll(async () => {
    await t.close();
  });

  it.each([
    ['PATCH', '/v1/users/me'],
    ['DELETE', '/v1/instagram/0123456789abcdef01234567'],
    ['DELETE', '/v1/conversations/detail/0123456789abcdef01234567'],
  ])(
    'allows a %s preflight of %s from an allowed origin, with the headers the API reads',
    async (method, path) => {
      const res = await preflight(t, path, method, APP_ORIGIN).expect(204);
      expect(res.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
      expect(listOf(res.headers['access-control-allow-methods'])).toEqual(
        expect.arrayContaining(['get', 'head', 'post', 'patch', 'delete']),
      );
      expect(listOf(res.headers['access-control-allow-headers'])).toEqual(
        expect.arrayContaining(['authorization', 'content-type', 'idempotency-key']),
      );
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      expect(Number(res.headers['access-control-max-age'])).toBeGreaterThan(0);
    },
  );

  it('allows every method a documented route answers', async () => {
    const doc = await t.http.get('/docs-json').expect(200);
    const paths = doc.body.paths as Record<string, Record<string, unknown>>;
    const served = new Set(
      Object.values(paths).flatMap((operations) =>
        Object.keys(operations).map((method) => method.toUpperCase()),
      ),
    );
    expect([...served].sort()).toEqual(expect.arrayContaining(['DELETE', 'GET', 'PATCH', 'POST']));
    expect(CORS_METHODS).toEqual(expect.arrayContaining([...served]));
  });

  it('lets a browser on an allowed origin send the PATCH and read x-request-id', async () => {
    const user = await createUser(t);
    const res = await t.http
      .patch('/v1/users/me')
      .set('Origin', APP_ORIGIN)
      .set('Authorization', user.auth)
      .send({ name: 'Renamed' })
      .expect(200);
    expect(res.body.name).toBe('Renamed');
    expect(res.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    expect(listOf(res.headers['access-control-expose-headers'])).toEqual(
      expect.arrayContaining(['x-request-id', 'retry-after']),
    );
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
  });

  it('lets a browser on an allowed origin delete an account', async () => {
    const user = await createUser(t);
    const { id } = await connectAccount(t, user);
    const res = await t.http
      .delete(`/v1/instagram/${id}`)
      .set('Origin', APP_ORIGIN)
      .set('Authorization', user.auth)
      .expect(204);
    expect(res.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
  });

  it('gives a disallowed origin no Access-Control-Allow-Origin, so browsers refuse', async () => {
    for (const [method, path] of [
      ['PATCH', '/v1/users/me'],
      ['DELETE', '/v1/instagram/0123456789abcdef01234567'],
    ]) {
      const res = await preflight(t, path, method, OTHER_ORIGIN);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
    const user = await createUser(t);
    const res = await t.http
      .get('/v1/users/me')
      .set('Origin', OTHER_ORIGIN)
      .set('Authorization', user.auth)
      .expect(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS with CORS_ORIGINS=*', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { CORS_ORIGINS: '*' } });
  });

  afterAll(async () => {
    await t.close();
  });

  it('allows a PATCH and a DELETE preflight from any origin', async () => {
    for (const [method, path] of [
      ['PATCH', '/v1/instagram/0123456789abcdef01234567'],
      ['DELETE', '/v1/users/0123456789abcdef01234567'],
    ]) {
      const res = await preflight(t, path, method, OTHER_ORIGIN).expect(204);
      expect(res.headers['access-control-allow-origin']).toBe(OTHER_ORIGIN);
      expect(listOf(res.headers['access-control-allow-methods'])).toContain(method.toLowerCase());
    }
  });
});
