import sharp from 'sharp';
import { heicDecodingAvailable } from '../src/media/image-format';
import { createUser, type TestUser } from './utils/factories';
import {
  makeAnimated,
  makeAvif,
  makeBmp,
  makeGif,
  makeHeicContainer,
  makeJpeg,
  makePaletteBmp,
  makePng,
  makeRotatedJpeg,
  makeTiff,
  makeTransparentPng,
  makeWebp,
  noise,
  pixelAt,
} from './utils/image-factories';
import { createTestApp, type TestApp } from './utils/test-app';

const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
const META_IMAGE_MAX_BYTES = 8 * 1024 * 1024;
const CONTENT_TYPES = { jpg: 'image/jpeg', png: 'image/png', gif: 'image/gif' };

/** A PNG of exactly `size` bytes (valid header, padded). */
function pngOfSize(size: number): Buffer {
  return Buffer.concat([PNG_1X1, Buffer.alloc(size - PNG_1X1.length)]);
}

/** A 1×1 PNG whose header claims `width` × `height` pixels. */
function pngClaiming(width: number, height: number): Buffer {
  const png = Buffer.from(PNG_1X1);
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  return png;
}

describe('Image upload', () => {
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    user = await createUser(t);
  });

  afterAll(() => t.close());

  beforeEach(async () => {
    await t.connection.collection('media.files').deleteMany({});
    await t.connection.collection('media.chunks').deleteMany({});
  });

  /** Names of the files in the GridFS bucket (the default storage). */
  async function storedFiles(): Promise<string[]> {
    const files = await t.connection.collection('media.files').find().toArray();
    return files.map((file) => file.filename as string);
  }

  function upload(data: Buffer, filename: string, field = 'file') {
    return t.http
      .post('/v1/upload/image')
      .set('Authorization', user.auth)
      .attach(field, data, { filename, contentType: 'application/octet-stream' });
  }

  /** Fetches a stored image through its public URL and checks what is served. */
  async function served(url: string, format: 'jpg' | 'png' | 'gif'): Promise<Buffer> {
    const res = await t.http.get(new URL(url).pathname).buffer(true).expect(200);
    expect(res.headers['content-type']).toBe(CONTENT_TYPES[format]);
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    return res.body as Buffer;
  }

  it.each([
    ['a JPEG', 'jpg', () => makeJpeg(64, 48)],
    ['a PNG', 'png', () => makePng(64, 48)],
    ['a transparent PNG', 'png', () => makeTransparentPng(64, 48)],
    ['a static GIF', 'png', () => makeGif(64, 48)],
    ['a WebP', 'jpg', () => makeWebp(64, 48)],
    ['an AVIF', 'jpg', () => makeAvif(64, 48)],
    ['a TIFF', 'png', () => makeTiff(64, 48)],
    ['a BMP', 'png', () => Promise.resolve(makeBmp(64, 48))],
  ] as const)(
    'stores %s recognised from its bytes as %s for Meta, and serves it publicly',
    async (_name, format, make) => {
      const res = await upload(await make(), 'no-extension').expect(201);
      expect(res.body).toEqual({
        url: expect.stringMatching(new RegExp(`^${t.baseUrl}/media/[0-9a-f]{32}\\.${format}$`)),
        public_id: expect.stringMatching(/^[0-9a-f]{32}$/),
        format,
        width: 64,
        height: 48,
      });
      expect(res.body.url).toContain(res.body.public_id);
      expect(await storedFiles()).toEqual([`${res.body.public_id}.${format}`]);
      const image = await served(res.body.url, format);
      const decoded = await sharp(image).metadata();
      expect({ format: decoded.format, width: decoded.width, height: decoded.height }).toEqual({
        format: format === 'jpg' ? 'jpeg' : format,
        width: 64,
        height: 48,
      });
    },
  );

  it('keeps the pixels of a BMP', async () => {
    const res = await upload(makeBmp(5, 3, { r: 10, g: 200, b: 30, alpha: 1 }), 'a.bmp').expect(
      201,
    );
    expect(res.body).toMatchObject({ format: 'png', width: 5, height: 3 });
    const image = await served(res.body.url, 'png');
    expect(await pixelAt(image, 0, 0)).toEqual([10, 200, 30]);
    expect(await pixelAt(image, 4, 2)).toEqual([10, 200, 30]);
  });

  it('keeps the colours of a 256-colour BMP', async () => {
    const res = await upload(makePaletteBmp(7, 3, { r: 250, g: 120, b: 5, alpha: 1 }), 'p.bmp');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ format: 'png', width: 7, height: 3 });
    const image = await served(res.body.url, 'png');
    expect(await pixelAt(image, 0, 0)).toEqual([250, 120, 5]);
    expect(await pixelAt(image, 6, 2)).toEqual([250, 120, 5]);
  });

  it('keeps the transparency of a PNG', async () => {
    const res = await upload(await makeTransparentPng(8, 8), 'a.png').expect(201);
    const image = await served(res.body.url, 'png');
    expect((await pixelAt(image, 3, 3))[3]).toBe(128);
  });

  it.each(['gif', 'webp'] as const)(
    'keeps the frames of an animated %s as an animated GIF',
    async (source) => {
      const res = await upload(await makeAnimated(source, 30, 20, 3), 'anim').expect(201);
      expect(res.body).toMatchObject({ format: 'gif', width: 30, height: 20 });
      const image = await served(res.body.url, 'gif');
      const decoded = await sharp(image, { animated: true }).metadata();
      expect({ pages: decoded.pages, pageHeight: decoded.pageHeight }).toEqual({
        pages: 3,
        pageHeight: 20,
      });
    },
  );

  it('turns a phone photo upright by its EXIF orientation and drops its metadata', async () => {
    const res = await upload(await makeRotatedJpeg(60, 40), 'IMG_0001.JPG').expect(201);
    expect(res.body).toMatchObject({ format: 'jpg', width: 40, height: 60 });
    const decoded = await sharp(await served(res.body.url, 'jpg')).metadata();
    expect({ exif: decoded.exif, orientation: decoded.orientation }).toEqual({
      exif: undefined,
      orientation: undefined,
    });
  });

  it('re-encodes an image too large for Meta into one of at most 8 MB', async () => {
    const png = await noise(1750, 1750).png({ compressionLevel: 0 }).toBuffer();
    expect(png.length).toBeGreaterThan(META_IMAGE_MAX_BYTES);
    expect(png.length).toBeLessThanOrEqual(MAX_UPLOAD_BYTES);
    const res = await upload(png, 'screenshot.png').expect(201);
    expect(res.body).toMatchObject({ format: 'jpg', width: 1750, height: 1750 });
    const image = await served(res.body.url, 'jpg');
    expect(image.length).toBeLessThanOrEqual(META_IMAGE_MAX_BYTES);
  });

  /** Only where the decoder lacks HEVC (sharp's prebuilt libvips); elsewhere HEIC is decoded. */
  const withoutHeicDecoder = heicDecodingAvailable() ? it.skip : it;

  withoutHeicDecoder(
    'refuses a HEIC photo with 400 saying HEIC cannot be decoded here, storing nothing',
    async () => {
      const res = await upload(await makeHeicContainer(16, 16), 'IMG_0002.HEIC').expect(400);
      expect(res.body.error.message).toMatch(/HEIC images cannot be decoded/);
      expect(res.body.error.details).toEqual([
        { field: 'file', messages: ['must be a JPEG, PNG, GIF, WebP, AVIF, TIFF or BMP image'] },
      ]);
      expect(await storedFiles()).toEqual([]);
    },
  );

  it('refuses an image over the size limit with 413, storing nothing', async () => {
    const res = await upload(pngOfSize(MAX_UPLOAD_BYTES + 1), 'huge.png').expect(413);
    expect(res.body.error.code).toBe(413);
    expect(await storedFiles()).toEqual([]);
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
    ['an icon (a format outside the list)', Buffer.from([0, 0, 1, 0, 1, 0, 1, 1, 0, 0]), 'a.ico'],
  ])('refuses %s with 400, storing nothing', async (_name, data, filename) => {
    const res = await upload(data, filename).expect(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'file' })]);
    expect(await storedFiles()).toEqual([]);
  });

  it('refuses a JPEG whose data is cut short with 400, storing nothing', async () => {
    const jpeg = await noise(64, 64).jpeg().toBuffer();
    const res = await upload(jpeg.subarray(0, jpeg.length / 2), 'cut.jpg').expect(400);
    expect(res.body.error.message).toBe('The JPEG image could not be decoded');
    expect(await storedFiles()).toEqual([]);
  });

  it('refuses an image of more than 8192 × 8192 pixels before decoding it, storing nothing', async () => {
    const res = await upload(pngClaiming(20_000, 20_000), 'bomb.png').expect(400);
    expect(res.body.error.details).toEqual([
      { field: 'file', messages: [`must have at most ${8192 * 8192} pixels`] },
    ]);
    expect(await storedFiles()).toEqual([]);
  });

  it('refuses a file sent under another field name with 400, storing nothing', async () => {
    await upload(PNG_1X1, 'a.png', 'image').expect(400);
    expect(await storedFiles()).toEqual([]);
  });

  it('refuses a multipart body without a file with 400, storing nothing', async () => {
    await t.http
      .post('/v1/upload/image')
      .set('Authorization', user.auth)
      .field('caption', 'no file here')
      .expect(400);
    expect(await storedFiles()).toEqual([]);
  });

  it('refuses a JSON body with 400, storing nothing', async () => {
    await t.http
      .post('/v1/upload/image')
      .set('Authorization', user.auth)
      .send({ file: PNG_1X1.toString('base64') })
      .expect(400);
    expect(await storedFiles()).toEqual([]);
  });

  it('refuses an anonymous upload with 401, storing nothing', async () => {
    await t.http
      .post('/v1/upload/image')
      .attach('file', PNG_1X1, { filename: 'a.png', contentType: 'image/png' })
      .expect(401);
    expect(await storedFiles()).toEqual([]);
  });

  it('answers 404 for unknown media names and path traversal attempts', async () => {
    await upload(PNG_1X1, 'a.png').expect(201);
    for (const path of [
      '/media/0123456789abcdef0123456789abcdef.png',
      '/media/..%2F..%2Fpackage.json',
      '/media/..%2fpackage.json',
      '/media/%2e%2e%2fpackage.json',
      '/media/package.json',
      `/media/${(await storedFiles())[0]}.exe`,
    ]) {
      const res = await t.http.get(path).expect(404);
      expect(res.body.error.code).toBe(404);
    }
  });
});
