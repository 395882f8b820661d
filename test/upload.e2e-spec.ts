import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUser, type TestUser } from './utils/factories';
import { createTestApp, type TestApp } from './utils/test-app';

const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const GIF_1X1 = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const MAX_IMAGE_BYTES = 8 * 1024 * 1024;

/** Smallest JPEG header image-size reads: SOI, a JFIF APP0 segment and a baseline SOF. */
function jpeg(width: number, height: number): Buffer {
  const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const sof = [0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 255, width >> 8, width & 255];
  const components = [3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  return Buffer.from([0xff, 0xd8, ...app0, ...sof, ...components, 0xff, 0xd9]);
}

/** An extended-format (VP8X) WebP header. */
function webp(width: number, height: number): Buffer {
  const chunk = Buffer.alloc(18);
  chunk.write('VP8X', 0);
  chunk.writeUInt32LE(10, 4);
  chunk.writeUIntLE(width - 1, 12, 3);
  chunk.writeUIntLE(height - 1, 15, 3);
  const header = Buffer.alloc(12);
  header.write('RIFF', 0);
  header.writeUInt32LE(4 + chunk.length, 4);
  header.write('WEBP', 8);
  return Buffer.concat([header, chunk]);
}

/** A PNG of exactly `size` bytes (valid header, padded). */
function pngOfSize(size: number): Buffer {
  return Buffer.concat([PNG_1X1, Buffer.alloc(size - PNG_1X1.length)]);
}

describe('Image upload', () => {
  let t: TestApp;
  let user: TestUser;
  let mediaDir: string;

  beforeAll(async () => {
    mediaDir = mkdtempSync(join(tmpdir(), 'upload-e2e-'));
    t = await createTestApp({ env: { MEDIA_DIR: mediaDir } });
    user = await createUser(t);
  });

  afterAll(async () => {
    await t.close();
    rmSync(mediaDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    for (const name of readdirSync(mediaDir)) rmSync(join(mediaDir, name));
  });

  function storedFiles(): string[] {
    return readdirSync(mediaDir);
  }

  function upload(data: Buffer, filename: string, field = 'file') {
    return t.http
      .post('/v1/upload/image')
      .set('Authorization', user.auth)
      .attach(field, data, { filename, contentType: 'application/octet-stream' });
  }

  it.each([
    ['png', PNG_1X1, 1, 1, 'image/png'],
    ['jpg', jpeg(640, 480), 640, 480, 'image/jpeg'],
    ['gif', GIF_1X1, 1, 1, 'image/gif'],
    ['webp', webp(320, 200), 320, 200, 'image/webp'],
  ])(
    'stores a %s image recognised from its bytes and serves it publicly',
    async (format, data, width, height, contentType) => {
      const res = await upload(data, 'no-extension').expect(201);
      expect(res.body).toEqual({
        url: expect.stringMatching(new RegExp(`^${t.baseUrl}/media/[0-9a-f]{32}\\.${format}$`)),
        public_id: expect.stringMatching(/^[0-9a-f]{32}$/),
        format,
        width,
        height,
      });
      expect(res.body.url).toContain(res.body.public_id);
      expect(storedFiles()).toEqual([`${res.body.public_id}.${format}`]);
      const path = new URL(res.body.url).pathname;
      const served = await t.http.get(path).buffer(true).expect(200);
      expect(served.headers['content-type']).toBe(contentType);
      expect(served.headers['cross-origin-resource-policy']).toBe('cross-origin');
      expect(Buffer.compare(served.body as Buffer, data)).toBe(0);
    },
  );

  it('accepts an image larger than the JSON body limit', async () => {
    const res = await upload(pngOfSize(3 * 1024 * 1024), 'big.png').expect(201);
    expect(res.body.format).toBe('png');
    expect(storedFiles()).toHaveLength(1);
  });

  it('refuses an image over the size limit with 413, storing nothing', async () => {
    const res = await upload(pngOfSize(MAX_IMAGE_BYTES + 1), 'huge.png').expect(413);
    expect(res.body.error.code).toBe(413);
    expect(storedFiles()).toEqual([]);
  });

  it.each([
    ['text named like an image', Buffer.from('definitely not an image'), 'photo.png'],
    [
      'an SVG',
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'),
      'a.svg',
    ],
    ['an empty file', Buffer.alloc(0), 'empty.png'],
    ['a truncated PNG signature', PNG_1X1.subarray(0, 10), 'cut.png'],
  ])('refuses %s with 400, storing nothing', async (_name, data, filename) => {
    const res = await upload(data, filename).expect(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'file' })]);
    expect(storedFiles()).toEqual([]);
  });

  it('refuses a file sent under another field name with 400, storing nothing', async () => {
    await upload(PNG_1X1, 'a.png', 'image').expect(400);
    expect(storedFiles()).toEqual([]);
  });

  it('refuses a multipart body without a file with 400, storing nothing', async () => {
    await t.http
      .post('/v1/upload/image')
      .set('Authorization', user.auth)
      .field('caption', 'no file here')
      .expect(400);
    expect(storedFiles()).toEqual([]);
  });

  it('refuses a JSON body with 400, storing nothing', async () => {
    await t.http
      .post('/v1/upload/image')
      .set('Authorization', user.auth)
      .send({ file: PNG_1X1.toString('base64') })
      .expect(400);
    expect(storedFiles()).toEqual([]);
  });

  it('refuses an anonymous upload with 401, storing nothing', async () => {
    await t.http
      .post('/v1/upload/image')
      .attach('file', PNG_1X1, { filename: 'a.png', contentType: 'image/png' })
      .expect(401);
    expect(storedFiles()).toEqual([]);
  });

  it('answers 404 for unknown media names and path traversal attempts', async () => {
    await upload(PNG_1X1, 'a.png').expect(201);
    for (const path of [
      '/media/0123456789abcdef0123456789abcdef.png',
      '/media/..%2F..%2Fpackage.json',
      '/media/..%2fpackage.json',
      '/media/%2e%2e%2fpackage.json',
      '/media/package.json',
      `/media/${storedFiles()[0]}.exe`,
    ]) {
      const res = await t.http.get(path).expect(404);
      expect(res.body.error.code).toBe(404);
    }
  });
});
