import { decode } from 'bmpimagejs';

export interface DecodedBmp {
  /** Rows top to bottom, RGB, or RGBA when some pixel is not fully opaque. */
  data: Buffer;
  width: number;
  height: number;
  channels: 3 | 4;
}

/**
 * Decodes a Windows bitmap with bmpimagejs (a port of NetSurf's libnsbmp): 1 to 32 bits
 * per pixel, palettes, bit fields, RLE4/RLE8, bottom-up or top-down. The alpha channel
 * is kept only when it carries transparency. Throws when the bytes are not a bitmap it
 * can read (truncated, damaged, or an embedded JPEG/PNG).
 */
export function decodeBmp(file: Buffer): DecodedBmp {
  const copy = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength);
  let image: ReturnType<typeof decode>;
  try {
    image = decode(copy as ArrayBuffer);
  } catch (error) {
    throw new Error(`Unsupported or damaged BMP: ${(error as Error).message}`, { cause: error });
  }
  const { width, height } = image;
  const rgba = Buffer.from(image.pixels.buffer, image.pixels.byteOffset, image.pixels.byteLength);
  let opaque = true;
  for (let i = 3; i < rgba.length && opaque; i += 4) opaque = rgba[i] === 255;
  if (!opaque) return { data: rgba, width, height, channels: 4 };
  const rgb = Buffer.alloc(width * height * 3);
  for (let from = 0, to = 0; from < rgba.length; from += 4, to += 3) {
    rgb[to] = rgba[from];
    rgb[to + 1] = rgba[from + 1];
    rgb[to + 2] = rgba[from + 2];
  }
  return { data: rgb, width, height, channels: 3 };
}
