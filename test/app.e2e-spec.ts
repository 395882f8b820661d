import { createTestApp, type TestApp } from './utils/test-app';
import { createUser } from './utils/factories';

describe('HTTP basics', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('answers the root endpoint with plain text', async () => {
    const res = await t.http.get('/').expect(200);
    expect(res.text).toBe('Service running');
    expect(res.headers['content-type']).toMatch(/text\/plain/);
  });

  it('reports running status', async () => {
    await t.http.get('/running').expect(200, { status: 'running' });
  });

  it('answers the health check with OK while the database answers', async () => {
    const res = await t.http.get('/health-check').expect(200);
    expect(res.text).toBe('OK');
  });

  it('answers an unknown route with the 404 envelope', async () => {
    const res = await t.http.get('/v1/nothing-here').expect(404);
    expect(res.body).toEqual({ error: { code: 404, message: 'Route not found', details: [] } });
  });

  it('sends security headers and a request id', async () => {
    const res = await t.http.get('/running').expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-request-id']).toBeDefined();
  });

  it('serves the OpenAPI document, Swagger UI and ReDoc', async () => {
    const doc = await t.http.get('/docs-json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    await t.http.get('/docs').expect(200);
    const redoc = await t.http.get('/redoc').expect(200);
    expect(redoc.text).toContain('/docs-json');
    await t.http.get('/redoc/redoc.standalone.js').expect(200);
  });

  it('refuses a protected route without a token with 401 in the envelope', async () => {
    const res = await t.http.get('/v1/users/me').expect(401);
    expect(res.body.error).toMatchObject({ code: 401, message: 'Missing access token' });
  });

  it('refuses a garbage bearer token', async () => {
    const res = await t.http
      .get('/v1/users/me')
      .set('Authorization', 'Bearer not-a-jwt')
      .expect(401);
    expect(res.body.error.code).toBe(401);
  });

  it('answers a malformed JSON body with 400 in the envelope', async () => {
    const user = await createUser(t);
    const res = await t.http
      .patch('/v1/users/me')
      .set('Authorization', user.auth)
      .set('Content-Type', 'application/json')
      .send('{"name":')
      .expect(400);
    expect(res.body.error.code).toBe(400);
  });

  it('answers a JSON body over the limit with 413 in the envelope', async () => {
    const res = await t.http
      .post('/v1/auth/login')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(3 * 1024 * 1024) }))
      .expect(413);
    expect(res.body).toEqual({
      error: { code: 413, message: 'Request body is too large', details: [] },
    });
  });
});
