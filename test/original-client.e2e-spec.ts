import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { uniqueEmail } from './utils/factories';
import { makeJpeg } from './utils/image-factories';
import { createTestApp, type TestApp } from './utils/test-app';

/** Headers axios (the original frontend's HTTP client) sends with a JSON body. */
const AXIOS_JSON_HEADERS = {
  Accept: 'application/json, text/plain, */*',
  'Content-Type': 'application/json',
};

describe('Requests exactly as the original frontend sends them', () => {
  let t: TestApp;
  let mediaDir: string;

  beforeAll(async () => {
    mediaDir = mkdtempSync(join(tmpdir(), 'original-client-'));
    t = await createTestApp({ env: { AUTH_THROTTLE_LIMIT: '10000', MEDIA_DIR: mediaDir } });
  });

  afterAll(async () => {
    await t.close();
    rmSync(mediaDir, { recursive: true, force: true });
  });

  async function signUp(): Promise<{ access: string; refresh: string }> {
    const res = await t.http
      .post('/v1/auth/register')
      .set(AXIOS_JSON_HEADERS)
      .send(JSON.stringify({ name: 'Ada', email: uniqueEmail('orig'), password: 'Passw0rd-long' }))
      .expect(201);
    return { access: res.body.tokens.access.token, refresh: res.body.tokens.refresh.token };
  }

  describe('refreshing the session when the access token expires', () => {
    it('finds the new pair under tokens and at the top level, both the same and usable', async () => {
      const session = await signUp();
      const res = await t.http
        .post('/v1/auth/refresh-tokens')
        .set(AXIOS_JSON_HEADERS)
        .send(JSON.stringify({ refreshToken: session.refresh }))
        .expect(200);
      const data = res.body;
      expect(data.tokens.access.token).toEqual(expect.any(String));
      expect(data.tokens.refresh.token).toEqual(expect.any(String));
      expect(data.tokens.access).toEqual(data.access);
      expect(data.tokens.refresh).toEqual(data.refresh);
      expect(data.tokens.refresh.token).not.toBe(session.refresh);

      await t.http
        .get('/v1/users/me')
        .set('Authorization', `Bearer ${data.tokens.access.token}`)
        .expect(200);
      const again = await t.http
        .post('/v1/auth/refresh-tokens')
        .set(AXIOS_JSON_HEADERS)
        .send(JSON.stringify({ refreshToken: data.tokens.refresh.token }))
        .expect(200);
      expect(again.body.tokens.access.token).toEqual(expect.any(String));
    });
  });

  describe('signing out', () => {
    it('answers 204 each time, also once the session is already over', async () => {
      const session = await signUp();
      for (let i = 0; i < 2; i += 1) {
        await t.http
          .post('/v1/auth/logout')
          .set(AXIOS_JSON_HEADERS)
          .send(JSON.stringify({ refreshToken: session.refresh }))
          .expect(204);
      }
      await t.http
        .post('/v1/auth/refresh-tokens')
        .set(AXIOS_JSON_HEADERS)
        .send(JSON.stringify({ refreshToken: session.refresh }))
        .expect(401);
    });
  });

  describe('connecting an account and showing it', () => {
    it('connects with the optional username left blank, lists it and shows its media', async () => {
      const { access } = await signUp();
      const sim = t.simulator.addAccount({ connectionType: 'facebook', mediaCount: 2 });
      const connected = await t.http
        .post('/v1/instagram')
        .set(AXIOS_JSON_HEADERS)
        .set('Authorization', `Bearer ${access}`)
        .send(
          JSON.stringify({
            pageId: sim.pageId,
            instagramBusinessId: sim.instagramBusinessId,
            pageAccessToken: sim.accessToken,
            username: '',
          }),
        )
        .expect(201);
      expect(connected.body.username).toBe(sim.username);

      const list = await t.http
        .get('/v1/instagram')
        .set('Authorization', `Bearer ${access}`)
        .expect(200);
      expect(list.body.map((a: { id: string }) => a.id)).toEqual([connected.body.id]);

      const profile = await t.http
        .get(`/v1/instagram/${connected.body.id}/profile`)
        .set('Authorization', `Bearer ${access}`)
        .expect(200);
      for (const media of profile.body.media as Record<string, unknown>[]) {
        expect(Object.keys(media)).toEqual(
          expect.arrayContaining(['media_type', 'media_url', 'thumbnail_url', 'permalink']),
        );
        expect(media.media_url).toEqual(expect.stringMatching(/^http/));
      }
    });
  });

  describe('uploading a photo to send', () => {
    it('takes the multipart form a browser sends and answers with a usable URL', async () => {
      const { access } = await signUp();
      const photo = await makeJpeg(1200, 900);
      const res = await t.http
        .post('/v1/upload/image')
        .set('Authorization', `Bearer ${access}`)
        .set('Accept', AXIOS_JSON_HEADERS.Accept)
        .attach('file', photo, { filename: 'IMG_0001.jpg', contentType: 'image/jpeg' })
        .expect(201);
      expect(res.body).toMatchObject({ format: 'jpg', width: 1200, height: 900 });
      const served = await t.http.get(new URL(res.body.url).pathname).buffer(true).expect(200);
      expect(served.headers['content-type']).toBe('image/jpeg');
      expect((await sharp(served.body as Buffer).metadata()).width).toBe(1200);
    });
  });
});
