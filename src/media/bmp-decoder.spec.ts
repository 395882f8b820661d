import { decodeBmp } from './bmp-decoder';

type Rgba = [number, number, number, number];

interface BmpSpec {
  width: number;
  height: number;
  bitsPerPixel: 1 | 4 | 8 | 16 | 24 | 32;
  /** The colour of each pixel, rows top to bottom. */
  pixel: (x: number, y: number) => Rgba;
  headerSize?: number;
  compression?: number;
  /** Red, green, blue (and alpha) masks: in the header (V2+) or after it (BI_BITFIELDS). */
  masks?: number[];
  palette?: Rgba[];
  topDown?: boolean;
  /** Bytes left between the palette and the pixels. */
  gap?: number;
  /** Pixel data as stored (RLE), instead of rows made from `pixel`. */
  encoded?: number[];
}

function row(spec: BmpSpec, y: number): Buffer {
  const bytes = Buffer.alloc(Math.ceil((spec.width * spec.bitsPerPixel) / 32) * 4);
  for (let x = 0; x < spec.width; x++) {
    const [r, g, b, a] = spec.pixel(x, y);
    if (spec.bitsPerPixel <= 8) {
      const index = spec.palette?.findIndex((c) => c[0] === r && c[1] === g && c[2] === b) ?? -1;
      const bit = x * spec.bitsPerPixel;
      bytes[bit >> 3] |= index << (8 - spec.bitsPerPixel - (bit & 7));
    } else if (spec.bitsPerPixel === 16) {
      bytes.writeUInt16LE(((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3), x * 2);
    } else if (spec.bitsPerPixel === 24) {
      bytes.set([b, g, r], x * 3);
    } else {
      bytes.set([b, g, r, a], x * 4);
    }
  }
  return bytes;
}

/** A Windows bitmap built field by field. */
function bmp(spec: BmpSpec): Buffer {
  const headerSize = spec.headerSize ?? 40;
  const info = Buffer.alloc(headerSize);
  info.writeUInt32LE(headerSize, 0);
  info.writeInt32LE(spec.width, 4);
  info.writeInt32LE(spec.topDown ? -spec.height : spec.height, 8);
  info.writeUInt16LE(1, 12);
  info.writeUInt16LE(spec.bitsPerPixel, 14);
  info.writeUInt32LE(spec.compression ?? 0, 16);
  info.writeUInt32LE(spec.palette?.length ?? 0, 32);
  const masks = Buffer.alloc(4 * (spec.masks?.length ?? 0));
  spec.masks?.forEach((mask, i) => masks.writeUInt32LE(mask, i * 4));
  const inHeader = headerSize > 40;
  if (inHeader) masks.copy(info, 40);
  const palette = Buffer.concat((spec.palette ?? []).map(([r, g, b]) => Buffer.from([b, g, r, 0])));
  const rows = spec.encoded
    ? [Buffer.from(spec.encoded)]
    : Array.from({ length: spec.height }, (_, i) =>
        row(spec, spec.topDown ? i : spec.height - 1 - i),
      );
  const before = Buffer.concat([info, inHeader ? Buffer.alloc(0) : masks, palette]);
  const offset = 14 + before.length + (spec.gap ?? 0);
  const file = Buffer.concat([Buffer.alloc(offset), ...rows]);
  before.copy(file, 14);
  file.write('BM', 0, 'latin1');
  file.writeUInt32LE(file.length, 2);
  file.writeUInt32LE(offset, 10);
  return file;
}

const RED: Rgba = [200, 16, 24, 255];
const BLUE: Rgba = [8, 40, 248, 255];
/** Red left half, blue right half; the bottom row green, so up and down are told apart. */
const GREEN: Rgba = [0, 248, 0, 255];
function picture(width: number, height: number) {
  return (x: number, y: number): Rgba => (y === height - 1 ? GREEN : x < width / 2 ? RED : BLUE);
}

function pixels(decoded: ReturnType<typeof decodeBmp>): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < decoded.data.length; i += decoded.channels) {
    out.push([...decoded.data.subarray(i, i + decoded.channels)]);
  }
  return out;
}

function expected(width: number, height: number, channels: 3 | 4): number[][] {
  const paint = picture(width, height);
  const out: number[][] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) out.push(paint(x, y).slice(0, channels));
  }
  return out;
}

describe('decodeBmp', () => {
  it.each([
    ['24-bit, rows padded', { bitsPerPixel: 24 as const }],
    ['24-bit top-down', { bitsPerPixel: 24 as const, topDown: true }],
    ['8-bit with a palette', { bitsPerPixel: 8 as const, palette: [RED, BLUE, GREEN] }],
    ['4-bit with a palette', { bitsPerPixel: 4 as const, palette: [BLUE, GREEN, RED] }],
    ['1-bit with a palette', { bitsPerPixel: 1 as const, palette: [RED, BLUE] }],
    ['24-bit with a gap before the pixels', { bitsPerPixel: 24 as const, gap: 6 }],
    [
      '8-bit V5 with a gap',
      { bitsPerPixel: 8 as const, palette: [RED, BLUE, GREEN], headerSize: 124, gap: 4 },
    ],
  ])('decodes a %s bitmap to RGB, top row first', (_name, spec) => {
    const width = 5;
    const height = spec.bitsPerPixel === 1 ? 1 : 3;
    const paint =
      spec.bitsPerPixel === 1
        ? (x: number): Rgba => (x < width / 2 ? RED : BLUE)
        : picture(width, height);
    const decoded = decodeBmp(bmp({ width, height, pixel: paint, ...spec }));
    expect({ width: decoded.width, height: decoded.height, channels: decoded.channels }).toEqual({
      width,
      height,
      channels: 3,
    });
    const want: number[][] = [];
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) want.push(paint(x, y).slice(0, 3));
    }
    expect(pixels(decoded)).toEqual(want);
  });

  it.each([
    ['RLE8', 8, 1, [3, 2, 0, 0, 3, 0, 0, 1]],
    ['RLE4', 4, 2, [3, 0x22, 0, 0, 3, 0x00, 0, 1]],
  ])('decodes an %s bitmap', (_name, bitsPerPixel, compression, encoded) => {
    const decoded = decodeBmp(
      bmp({
        width: 3,
        height: 2,
        bitsPerPixel: bitsPerPixel as 4 | 8,
        compression,
        palette: [RED, BLUE, GREEN],
        pixel: () => RED,
        encoded,
      }),
    );
    expect(decoded.channels).toBe(3);
    expect(pixels(decoded)).toEqual([
      RED.slice(0, 3),
      RED.slice(0, 3),
      RED.slice(0, 3),
      GREEN.slice(0, 3),
      GREEN.slice(0, 3),
      GREEN.slice(0, 3),
    ]);
  });

  it('keeps the alpha of a 32-bit V5 bitmap with an alpha mask', () => {
    const translucent: Rgba = [10, 20, 30, 128];
    const decoded = decodeBmp(
      bmp({
        width: 2,
        height: 1,
        bitsPerPixel: 32,
        compression: 3,
        headerSize: 124,
        masks: [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000],
        pixel: (x) => (x === 0 ? translucent : RED),
      }),
    );
    expect(decoded.channels).toBe(4);
    expect(pixels(decoded)).toEqual([translucent, RED]);
  });

  it('reads an uncompressed 32-bit bitmap as opaque, whatever its fourth byte or mask fields', () => {
    for (const headerSize of [40, 108]) {
      const decoded = decodeBmp(
        bmp({
          width: 4,
          height: 3,
          bitsPerPixel: 32,
          headerSize,
          masks: headerSize > 40 ? [0, 0, 0, 0] : undefined,
          pixel: (x, y) => {
            const [r, g, b] = picture(4, 3)(x, y);
            return [r, g, b, x * 60];
          },
        }),
      );
      expect(decoded.channels).toBe(3);
      expect(pixels(decoded)).toEqual(expected(4, 3, 3));
    }
  });

  it('decodes 16-bit 5-5-5 bitmaps, implied or with explicit masks', () => {
    for (const spec of [
      {},
      { compression: 3, masks: [0x7c00, 0x03e0, 0x001f] },
      { headerSize: 124, masks: [0, 0, 0, 0] },
    ]) {
      const decoded = decodeBmp(
        bmp({ width: 3, height: 2, bitsPerPixel: 16, pixel: () => [248, 8, 128, 255], ...spec }),
      );
      expect(pixels(decoded)).toEqual(Array.from({ length: 6 }, () => [248, 8, 128]));
    }
  });

  it.each([
    ['text', Buffer.from('BM but not really a bitmap at all, just some text here.......')],
    [
      'a truncated bitmap',
      bmp({ width: 40, height: 40, bitsPerPixel: 24, pixel: () => RED }).subarray(0, 400),
    ],
    [
      'RLE data running past the image',
      bmp({
        width: 2,
        height: 1,
        bitsPerPixel: 8,
        compression: 1,
        palette: [RED],
        pixel: () => RED,
        encoded: [0, 0, 0, 0, 0, 0],
      }),
    ],
    [
      'an embedded PNG',
      bmp({ width: 2, height: 2, bitsPerPixel: 24, compression: 5, pixel: () => RED }),
    ],
  ])('refuses %s', (_name, file) => {
    expect(() => decodeBmp(file)).toThrow(/BMP/);
  });
});
