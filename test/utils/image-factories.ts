import { randomBytes } from 'node:crypto';
import sharp from 'sharp';

/** Real images of every upload format, made with sharp (BMP and HEIC by hand). */

export interface Rgba {
  r: number;
  g: number;
  b: number;
  alpha: number;
}

const RED: Rgba = { r: 220, g: 30, b: 30, alpha: 1 };

export function solid(
  width: number,
  height: number,
  background: Rgba = RED,
  channels: 3 | 4 = 3,
): sharp.Sharp {
  return sharp({ create: { width, height, channels, background } });
}

export const makeJpeg = (width: number, height: number) => solid(width, height).jpeg().toBuffer();
export const makePng = (width: number, height: number) => solid(width, height).png().toBuffer();
export const makeTransparentPng = (width: number, height: number) =>
  solid(width, height, { r: 0, g: 0, b: 255, alpha: 0.5 }, 4).png().toBuffer();
export const makeGif = (width: number, height: number) => solid(width, height).gif().toBuffer();
export const makeWebp = (width: number, height: number) => solid(width, height).webp().toBuffer();
export const makeAvif = (width: number, height: number) => solid(width, height).avif().toBuffer();
export const makeTiff = (width: number, height: number) => solid(width, height).tiff().toBuffer();

/** Frames of one colour each, `width` × `height` per frame. */
function frames(width: number, height: number, count: number): Promise<Buffer> {
  const colours = Array.from({ length: count }, (_, i) => ({
    r: (i * 80) % 256,
    g: 255 - ((i * 80) % 256),
    b: 40,
    alpha: 1,
  }));
  return Promise.all(colours.map((c) => solid(width, height, c).raw().toBuffer())).then((parts) =>
    Buffer.concat(parts),
  );
}

export async function makeAnimated(
  format: 'gif' | 'webp',
  width: number,
  height: number,
  count = 3,
): Promise<Buffer> {
  const raw = await frames(width, height, count);
  const image = sharp(raw, {
    raw: { width, height: height * count, channels: 3, pageHeight: height },
  });
  const delay = Array.from({ length: count }, () => 100);
  return format === 'gif'
    ? image.gif({ loop: 0, delay }).toBuffer()
    : image.webp({ loop: 0, delay }).toBuffer();
}

/** A JPEG whose EXIF says "rotate 90° clockwise to view" and that carries a camera model. */
export function makeRotatedJpeg(width: number, height: number): Promise<Buffer> {
  return solid(width, height)
    .jpeg()
    .withExif({ IFD0: { Model: 'Test Camera' } })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

/** Incompressible pixels (random noise): `width` × `height`, RGB or RGBA. */
export function noise(width: number, height: number, channels: 3 | 4 = 3): sharp.Sharp {
  return sharp(randomBytes(width * height * channels), { raw: { width, height, channels } });
}

/**
 * A 24-bit uncompressed Windows bitmap (BITMAPINFOHEADER, bottom-up rows padded to
 * 4 bytes) of one colour.
 */
export function makeBmp(width: number, height: number, colour = RED): Buffer {
  const rowBytes = Math.ceil((width * 3) / 4) * 4;
  const pixelOffset = 14 + 40;
  const file = Buffer.alloc(pixelOffset + rowBytes * height);
  file.write('BM', 0, 'latin1');
  file.writeUInt32LE(file.length, 2);
  file.writeUInt32LE(pixelOffset, 10);
  file.writeUInt32LE(40, 14);
  file.writeInt32LE(width, 18);
  file.writeInt32LE(height, 22);
  file.writeUInt16LE(1, 26);
  file.writeUInt16LE(24, 28);
  file.writeUInt32LE(rowBytes * height, 34);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = pixelOffset + y * rowBytes + x * 3;
      file[at] = colour.b;
      file[at + 1] = colour.g;
      file[at + 2] = colour.r;
    }
  }
  return file;
}

/**
 * A 256-colour Windows bitmap (8 bits per pixel, the palette holding `colour` at index
 * 7), as Paint saves one.
 */
export function makePaletteBmp(width: number, height: number, colour = RED): Buffer {
  const rowBytes = Math.ceil(width / 4) * 4;
  const pixelOffset = 14 + 40 + 256 * 4;
  const file = Buffer.alloc(pixelOffset + rowBytes * height);
  file.write('BM', 0, 'latin1');
  file.writeUInt32LE(file.length, 2);
  file.writeUInt32LE(pixelOffset, 10);
  file.writeUInt32LE(40, 14);
  file.writeInt32LE(width, 18);
  file.writeInt32LE(height, 22);
  file.writeUInt16LE(1, 26);
  file.writeUInt16LE(8, 28);
  file.writeUInt32LE(256, 46);
  file.set([colour.b, colour.g, colour.r, 0], 54 + 7 * 4);
  for (let y = 0; y < height; y++)
    file.fill(7, pixelOffset + y * rowBytes, pixelOffset + y * rowBytes + width);
  return file;
}

/**
 * A HEIF container branded as HEIC (Apple's photo format). sharp's prebuilt libvips
 * cannot encode HEVC, so this is an AVIF whose brands say `heic`: enough to be
 * recognised as HEIC from its bytes, not a decodable HEVC picture.
 */
export async function makeHeicContainer(width: number, height: number): Promise<Buffer> {
  const avif = Buffer.from(await makeAvif(width, height));
  const ftypSize = avif.readUInt32BE(0);
  for (let offset = 8; offset + 4 <= ftypSize; offset += 4) {
    if (offset === 12) continue;
    const brand = avif.toString('latin1', offset, offset + 4);
    if (brand === 'avif' || brand === 'avis') avif.write('heic', offset, 'latin1');
  }
  return avif;
}

/** The colour of the pixel at (x, y) of an encoded image. */
export async function pixelAt(image: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [...data.subarray(at, at + info.channels)];
}
