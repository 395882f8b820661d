import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUser, type TestUser } from './utils/factories';
import { makeGif, makeJpeg, noise } from './utils/image-factories';
import { createTestApp, type TestApp } from './utils/test-app';

const YEAR_IMMUTABLE = 'public, max-age=31536000, immutable';

/** Names that are not stored media: unknown, malformed, or trying to leave the media store. */
const BAD_NAMES = [
  '0123456789abcdef0123456789abcdef.png',
  '0123456789ABCDEF0123456789ABCDEF.png',
  '0123456789abcdef0123456789abcdef.exe',
  'package.json',
  '..%2F..%2Fpackage.json',
  '%2e%2e%2fpackage.json',
  '..%2f.env',
];

function upload(t: TestApp, user: TestUser, data: Buffer) {
  return t.http
    .post('/v1/upload/image')
    .set('Authorization', user.auth)
    .attach('file', data, { filename: 'image', contentType: 'application/octet-stream' })
    .expect(201);
}

function fetchMedia(t: TestApp, path: string, headers: Record<string, string> = {}) {
  return t.http.get(path).set(headers).buffer(true);
}

describe('Media in GridFS, served by every instance', () => {
  let first: TestApp;
  let second: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    first = await createTestApp();
    second = await createTestApp({ databaseName: first.databaseName });
    user = await createUser(first);
  });

  afterAll(async () => {
    await second.close({ keepDatabase: true });
    await first.close();
  });

  beforeEach(async () => {
    await first.connection.collection('media.files').deleteMany({});
    await first.connection.collection('media.chunks').deleteMany({});
  });

  async function stored(): Promise<{ files: number; chunks: number }> {
    return {
      files: await first.connection.collection('media.files').countDocuments(),
      chunks: await first.connection.collection('media.chunks').countDocuments(),
    };
  }

  it('serves an image uploaded through one instance from another, with caching headers', async () => {
    const res = await upload(first, user, await makeJpeg(64, 48));
    const path = new URL(res.body.url as string).pathname;
    const fromFirst = await fetchMedia(first, path).expect(200);
    const fromSecond = await fetchMedia(second, path).expect(200);
    expect(fromSecond.body).toEqual(fromFirst.body);
    const bytes = fromSecond.body as Buffer;
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(fromSecond.headers).toMatchObject({
      'content-type': 'image/jpeg',
      'content-length': String(bytes.length),
      'cache-control': YEAR_IMMUTABLE,
      etag: `"${res.body.public_id}"`,
      'cross-origin-resource-policy': 'cross-origin',
    });
    const lastModified = Date.parse(fromSecond.headers['last-modified']);
    expect(Math.abs(lastModified - Date.now())).toBeLessThan(60_000);
    expect(fromFirst.headers.etag).toBe(fromSecond.headers.etag);
    expect(fromFirst.headers['last-modified']).toBe(fromSecond.headers['last-modified']);
  });

  it('serves an image of several chunks byte for byte from the other instance', async () => {
    const png = await noise(460, 460).png({ compressionLevel: 0 }).toBuffer();
    const res = await upload(first, user, png);
    expect(res.body.format).toBe('png');
    const path = new URL(res.body.url as string).pathname;
    const served = await fetchMedia(second, path).expect(200);
    const size = served.body.length;
    expect(size).toBeGreaterThan(2 * 255 * 1024);
    expect(await stored()).toEqual({ files: 1, chunks: Math.ceil(size / (255 * 1024)) });
    expect(served.body).toEqual((await fetchMedia(first, path).expect(200)).body);
  });

  it('answers HEAD with the headers of the image and no bytes', async () => {
    const res = await upload(first, user, await makeJpeg(20, 10));
    const path = new URL(res.body.url as string).pathname;
    const size = (await fetchMedia(first, path).expect(200)).body.length;
    const head = await second.http.head(path).expect(200);
    expect(head.headers).toMatchObject({
      'content-type': 'image/jpeg',
      'content-length': String(size),
      'cache-control': YEAR_IMMUTABLE,
      etag: `"${res.body.public_id}"`,
    });
    expect(head.text ?? '').toBe('');
  });

  it('answers 304 without the bytes when If-None-Match names the ETag, on any instance', async () => {
    const res = await upload(first, user, await makeGif(8, 8));
    const path = new URL(res.body.url as string).pathname;
    const etag = `"${res.body.public_id}"`;
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const again = await fetchMedia(second, path, { 'If-None-Match': ifNoneMatch }).expect(304);
      expect(again.headers.etag).toBe(etag);
      expect(again.headers['cache-control']).toBe(YEAR_IMMUTABLE);
      expect(again.text).toBe('');
      expect(again.headers['content-type']).toBeUndefined();
    }
    await fetchMedia(second, path, { 'If-None-Match': '"other"' }).expect(200);
  });

  it('answers 404 with the error envelope for names that are not stored media, writing nothing', async () => {
    for (const app of [first, second]) {
      for (const name of BAD_NAMES) {
        const res = await fetchMedia(app, `/media/${name}`).expect(404);
        expect(res.body).toEqual({
          error: { code: 404, message: expect.any(String), details: expect.any(Array) },
        });
        expect(res.headers['cache-control']).not.toBe(YEAR_IMMUTABLE);
      }
    }
    expect(await stored()).toEqual({ files: 0, chunks: 0 });
  });

  it('keeps nothing of a refused upload', async () => {
    await first.http
      .post('/v1/upload/image')
      .set('Authorization', user.auth)
      .attach('file', Buffer.from('not an image'), { filename: 'a.png' })
      .expect(400);
    expect(await stored()).toEqual({ files: 0, chunks: 0 });
  });
});

describe('Media on local disk (MEDIA_STORAGE=local)', () => {
  let t: TestApp;
  let user: TestUser;
  let mediaDir: string;

  beforeAll(async () => {
    mediaDir = mkdtempSync(join(tmpdir(), 'media-local-'));
    t = await createTestApp({ env: { MEDIA_STORAGE: 'local', MEDIA_DIR: mediaDir } });
    user = await createUser(t);
  });

  afterAll(async () => {
    await t.close();
    rmSync(mediaDir, { recursive: true, force: true });
  });

  it('stores the upload as a file in MEDIA_DIR, not in the database, and serves it', async () => {
    const res = await upload(t, user, await makeJpeg(16, 16));
    const name = `${res.body.public_id}.jpg`;
    expect(readdirSync(mediaDir)).toEqual([name]);
    expect(await t.connection.collection('media.files').countDocuments()).toBe(0);
    const served = await fetchMedia(t, `/media/${name}`).expect(200);
    expect(served.headers).toMatchObject({
      'content-type': 'image/jpeg',
      'cache-control': YEAR_IMMUTABLE,
      etag: `"${res.body.public_id}"`,
    });
    await fetchMedia(t, `/media/${name}`, { 'If-None-Match': `"${res.body.public_id}"` }).expect(
      304,
    );
  });

  it('answers 404 for names that are not stored media, writing nothing', async () => {
    const before = readdirSync(mediaDir);
    for (const name of BAD_NAMES) {
      const res = await fetchMedia(t, `/media/${name}`).expect(404);
      expect(res.body.error.code).toBe(404);
    }
    expect(readdirSync(mediaDir)).toEqual(before);
  });
});
