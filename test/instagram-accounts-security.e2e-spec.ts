import fs from 'node:fs';
import type { Response } from 'supertest';
import { TokenRefreshTask } from '../src/instagram-accounts/token-refresh.task';
import { connectBody, rawAccounts } from './utils/account-factories';
import { createUser, type TestUser } from './utils/factories';
import { createTestApp, type TestApp } from './utils/test-app';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Captures everything written to stdout/stderr (pino writes through fs on fd 1). */
function captureOutput(): { text: () => string; restore: () => void } {
  const chunks: string[] = [];
  const record = (data: unknown): number => {
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
    chunks.push(text);
    return Buffer.byteLength(text);
  };
  const isStd = (fd: unknown) => fd === 1 || fd === 2;
  const originalWriteSync = fs.writeSync.bind(fs) as (...args: unknown[]) => number;
  const originalWrite = fs.write.bind(fs) as (...args: unknown[]) => void;
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation((data: unknown) => record(data) >= 0),
    jest.spyOn(process.stderr, 'write').mockImplementation((data: unknown) => record(data) >= 0),
    jest
      .spyOn(fs, 'writeSync')
      .mockImplementation((fd: number, data: unknown, ...rest: unknown[]) =>
        isStd(fd) ? record(data) : originalWriteSync(fd, data, ...rest),
      ),
    jest.spyOn(fs, 'write').mockImplementation((fd: number, data: unknown, ...rest: unknown[]) => {
      if (!isStd(fd)) return originalWrite(fd, data, ...rest);
      const written = record(data);
      const callback = rest[rest.length - 1] as (err: null, written: number) => void;
      process.nextTick(callback, null, written);
    }),
  ];
  return {
    text: () => chunks.join(''),
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}

describe('Access token confidentiality', () => {
  let t: TestApp;
  let owner: TestUser;
  let output: ReturnType<typeof captureOutput>;
  const secrets = new Set<string>();
  const responses: string[] = [];

  function track(res: Response): Response {
    responses.push(`${JSON.stringify(res.headers)}\n${res.text}`);
    return res;
  }

  beforeAll(async () => {
    output = captureOutput();
    t = await createTestApp({ env: { LOG_LEVEL: 'debug' } });
    owner = await createUser(t);
  });

  afterAll(async () => {
    await t.close();
    output.restore();
  });

  it('never returns or logs a token, through the whole account lifecycle', async () => {
    const ig = t.simulator.addAccount({ connectionType: 'instagram' });
    const fb = t.simulator.addAccount({ connectionType: 'facebook' });
    const expired = t.simulator.addAccount({ connectionType: 'instagram' });
    t.simulator.expireToken(expired.accessToken);
    const rejected = 'IGAArejected-token-that-meta-does-not-know-0123456789';
    [ig.accessToken, fb.accessToken, expired.accessToken, rejected].forEach((s) => secrets.add(s));

    const auth = owner.auth;
    const igAccount = track(
      await t.http
        .post('/v1/instagram')
        .set('Authorization', auth)
        .send(connectBody(ig))
        .expect(201),
    ).body;
    const fbAccount = track(
      await t.http
        .post('/v1/instagram')
        .set('Authorization', auth)
        .send(connectBody(fb))
        .expect(201),
    ).body;
    track(
      await t.http
        .post('/v1/instagram')
        .set('Authorization', auth)
        .send({ accessToken: rejected })
        .expect(400),
    );
    track(
      await t.http
        .post('/v1/instagram')
        .set('Authorization', auth)
        .send(connectBody(expired))
        .expect(400),
    );
    track(
      await t.http
        .post('/v1/instagram')
        .set('Authorization', auth)
        .send(connectBody(ig))
        .expect(409),
    );
    track(await t.http.get('/v1/instagram').set('Authorization', auth).expect(200));
    track(await t.http.get(`/v1/instagram/${igAccount.id}`).set('Authorization', auth).expect(200));
    track(
      await t.http
        .get(`/v1/instagram/${fbAccount.id}/profile`)
        .set('Authorization', auth)
        .expect(200),
    );
    track(
      await t.http
        .patch(`/v1/instagram/${fbAccount.id}`)
        .set('Authorization', auth)
        .send({ accessToken: rejected })
        .expect(400),
    );
    track(
      await t.http
        .patch(`/v1/instagram/${fbAccount.id}`)
        .set('Authorization', auth)
        .send({ accessToken: fb.accessToken, isActive: false })
        .expect(200),
    );

    await t.connection.collection('instagram_accounts').updateOne(
      { instagramBusinessId: ig.instagramBusinessId },
      {
        $set: {
          tokenIssuedAt: new Date(Date.now() - 55 * DAY_MS),
          tokenExpiresAt: new Date(Date.now() + 5 * DAY_MS),
        },
      },
    );
    expect((await t.app.get(TokenRefreshTask).runOnce()).refreshed).toBe(1);
    const simAccounts = t.simulator.state().accounts as {
      refreshedTokens: { accessToken: string }[];
    }[];
    for (const account of simAccounts)
      account.refreshedTokens.forEach((r) => secrets.add(r.accessToken));
    expect(secrets.size).toBe(5);

    t.simulator.expireToken(fb.accessToken);
    track(
      await t.http
        .get(`/v1/instagram/${igAccount.id}/profile`)
        .set('Authorization', auth)
        .expect(200),
    );
    track(
      await t.http.delete(`/v1/instagram/${fbAccount.id}`).set('Authorization', auth).expect(204),
    );
    track(
      await t.http
        .get('/v1/logs')
        .set('Authorization', (await createUser(t, { role: 'admin' })).auth),
    );

    const logs = output.text();
    expect(logs).toContain('/v1/instagram');
    expect(logs).toMatch(/GET \/v[\d.]+\/me/);
    for (const secret of secrets) {
      for (const response of responses) expect(response).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
    for (const response of responses)
      expect(response).not.toMatch(/"(accessToken|pageAccessToken)"/);
  });

  it('stores tokens only encrypted, under the configured key id', async () => {
    const documents = await rawAccounts(t);
    expect(documents.length).toBeGreaterThan(0);
    for (const document of documents) {
      const json = JSON.stringify(document);
      for (const secret of secrets) expect(json).not.toContain(secret);
      expect(document.accessToken).toEqual({
        keyId: 'k1',
        iv: expect.any(String),
        tag: expect.any(String),
        data: expect.any(String),
      });
      expect(Buffer.from(document.accessToken.iv, 'base64')).toHaveLength(12);
    }
    const ivs = documents.map((d) => d.accessToken.iv);
    expect(new Set(ivs).size).toBe(ivs.length);
  });
});
