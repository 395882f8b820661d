import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Test } from '@nestjs/testing';
import { rootConfigModule } from '../src/database/root-modules';
import { createUser, type TestUser } from './utils/factories';
import { startFakeS3, type FakeS3 } from './utils/fake-s3';
import { makeJpeg, noise } from './utils/image-factories';
import { createTestApp, type TestApp } from './utils/test-app';

const YEAR_IMMUTABLE = 'public, max-age=31536000, immutable';
const BUCKET = 'media-uploads';

/** Names that are not stored media: unknown, malformed, or trying to leave the bucket. */
const BAD_NAMES = [
  '0123456789abcdef0123456789abcdef.png',
  '0123456789ABCDEF0123456789ABCDEF.png',
  '0123456789abcdef0123456789abcdef.exe',
  'package.json',
  '..%2F..%2Fpackage.json',
  '%2e%2e%2fpackage.json',
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

describe('Media in an S3-compatible bucket (MEDIA_STORAGE=s3), served by every instance', () => {
  let s3: FakeS3;
  let client: S3Client;
  let first: TestApp;
  let second: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    s3 = await startFakeS3(BUCKET);
    const s3Env = {
      MEDIA_STORAGE: 's3',
      S3_ENDPOINT: s3.endpoint,
      S3_REGION: 'us-east-1',
      S3_BUCKET: BUCKET,
      S3_ACCESS_KEY_ID: 'test-access-key',
      S3_SECRET_ACCESS_KEY: 'test-secret-key',
      S3_FORCE_PATH_STYLE: 'true',
    };
    client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'test-access-key', secretAccessKey: 'test-secret-key' },
    });
    first = await createTestApp({ env: s3Env });
    second = await createTestApp({ env: s3Env, databaseName: first.databaseName });
    user = await createUser(first);
  }, 600_000);

  afterAll(async () => {
    await second?.close({ keepDatabase: true });
    await first?.close();
    client?.destroy();
    await s3?.stop();
  });

  async function objectNames(): Promise<string[]> {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    return (listed.Contents ?? []).map((object) => object.Key ?? '').sort();
  }

  it('stores an upload through one instance in the bucket (not in GridFS) and serves it from another with the same headers and bytes', async () => {
    const before = await objectNames();
    const res = await upload(first, user, await makeJpeg(64, 48));
    const name = `${res.body.public_id}.jpg`;
    expect(await objectNames()).toEqual([...before, name].sort());
    expect(await first.connection.collection('media.files').countDocuments()).toBe(0);

    const path = new URL(res.body.url as string).pathname;
    const fromFirst = await fetchMedia(first, path).expect(200);
    const fromSecond = await fetchMedia(second, path).expect(200);
    const bytes = fromSecond.body as Buffer;
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(fromFirst.body).toEqual(bytes);
    const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: name }));
    expect(Buffer.from(await object.Body!.transformToByteArray())).toEqual(bytes);
    expect(object.ContentType).toBe('image/jpeg');

    expect(fromSecond.headers).toMatchObject({
      'content-type': 'image/jpeg',
      'content-length': String(bytes.length),
      'cache-control': YEAR_IMMUTABLE,
      etag: `"${res.body.public_id}"`,
      'cross-origin-resource-policy': 'cross-origin',
    });
    for (const header of ['content-type', 'content-length', 'etag', 'last-modified']) {
      expect(fromFirst.headers[header]).toBe(fromSecond.headers[header]);
    }
    const lastModified = Date.parse(fromSecond.headers['last-modified']);
    expect(Math.abs(lastModified - Date.now())).toBeLessThan(60_000);
  });

  // Normalising a 460×460 noise image takes tens of seconds on a loaded 2-core machine.
  it('serves a large PNG byte for byte from the other instance', async () => {
    const png = await noise(460, 460).png({ compressionLevel: 0 }).toBuffer();
    const res = await upload(second, user, png);
    expect(res.body.format).toBe('png');
    const path = new URL(res.body.url as string).pathname;
    const served = await fetchMedia(first, path).expect(200);
    expect(served.body.length).toBeGreaterThan(512 * 1024);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.headers['content-length']).toBe(String(served.body.length));
    expect(served.body).toEqual((await fetchMedia(second, path).expect(200)).body);
  }, 120_000);

  it('answers HEAD and a matching If-None-Match from the stored headers, without the bytes', async () => {
    const res = await upload(first, user, await makeJpeg(20, 10));
    const path = new URL(res.body.url as string).pathname;
    const size = (await fetchMedia(first, path).expect(200)).body.length;
    const etag = `"${res.body.public_id}"`;
    const head = await second.http.head(path).expect(200);
    expect(head.headers).toMatchObject({
      'content-type': 'image/jpeg',
      'content-length': String(size),
      etag,
    });
    const notModified = await fetchMedia(second, path, { 'If-None-Match': etag }).expect(304);
    expect(notModified.text).toBe('');
    expect(notModified.headers.etag).toBe(etag);
  });

  it('answers 404 with the error envelope for names that are not stored media, writing nothing', async () => {
    const before = await objectNames();
    for (const app of [first, second]) {
      for (const name of BAD_NAMES) {
        const res = await fetchMedia(app, `/media/${name}`).expect(404);
        expect(res.body).toEqual({
          error: { code: 404, message: expect.any(String), details: expect.any(Array) },
        });
        expect(res.headers['cache-control']).not.toBe(YEAR_IMMUTABLE);
      }
    }
    expect(await objectNames()).toEqual(before);
    expect(await first.connection.collection('media.files').countDocuments()).toBe(0);
  });

  it('keeps nothing of a refused upload', async () => {
    const before = await objectNames();
    await first.http
      .post('/v1/upload/image')
      .set('Authorization', user.auth)
      .attach('file', Buffer.from('not an image'), { filename: 'a.png' })
      .expect(400);
    expect(await objectNames()).toEqual(before);
  });
});

describe('Booting with MEDIA_STORAGE=s3', () => {
  const saved = { ...process.env };

  afterEach(() => {
    process.env = { ...saved };
  });

  it('refuses to boot while a required S3 key is missing, naming each one', async () => {
    for (const key of Object.keys(process.env).filter((name) => name.startsWith('S3_'))) {
      delete process.env[key];
    }
    Object.assign(process.env, { MEDIA_STORAGE: 's3', S3_BUCKET: BUCKET });
    await expect(
      Test.createTestingModule({ imports: [rootConfigModule()] }).compile(),
    ).rejects.toThrow(
      [
        'Invalid configuration:',
        '  - S3_REGION is required when MEDIA_STORAGE=s3',
        '  - S3_ACCESS_KEY_ID is required when MEDIA_STORAGE=s3',
        '  - S3_SECRET_ACCESS_KEY is required when MEDIA_STORAGE=s3',
      ].join('\n'),
    );
  });
});
