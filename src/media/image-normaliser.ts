import sharp, { type OutputInfo, type Sharp } from 'sharp';
import { decodeBmp } from './bmp-decoder';
import type { UploadFormat } from './image-format';

/** Meta's limit for the image attachment of a message. */
export const META_IMAGE_MAX_BYTES = 8 * 1024 * 1024;

/** Largest decoded image accepted: 8192 × 8192 pixels (a 48-megapixel phone photo fits). */
export const MAX_INPUT_PIXELS = 8192 * 8192;

/** Formats Meta accepts for image messages, which every upload is turned into. */
export type NormalisedFormat = 'jpg' | 'png' | 'gif';

export interface NormalisedImage {
  data: Buffer;
  format: NormalisedFormat;
  width: number;
  height: number;
}

/** Sources whose pixels are exact (screenshots, graphics): kept lossless as PNG. */
const LOSSLESS_SOURCES = new Set<UploadFormat>(['png', 'gif', 'bmp', 'tiff']);
/** Sources that may carry an animation, which is kept as an animated GIF. */
const ANIMATED_SOURCES = new Set<UploadFormat>(['gif', 'webp']);

const JPEG_QUALITY = 90;

interface OpenedImage {
  image: Sharp;
  /** Whether the decoded pixels have an alpha channel (transparency is checked later). */
  hasAlpha: boolean;
  /** Frames of an animation (1 for a still image). */
  pages: number;
}

async function open(data: Buffer, source: UploadFormat): Promise<OpenedImage> {
  const options = { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' as const };
  if (source === 'bmp') {
    const bmp = decodeBmp(data);
    const image = sharp(bmp.data, {
      ...options,
      raw: { width: bmp.width, height: bmp.height, channels: bmp.channels },
    });
    return { image, hasAlpha: bmp.channels === 4, pages: 1 };
  }
  const animated = ANIMATED_SOURCES.has(source);
  const image = sharp(data, { ...options, animated }).autoOrient();
  const metadata = await image.metadata();
  return { image, hasAlpha: metadata.hasAlpha, pages: animated ? (metadata.pages ?? 1) : 1 };
}

function encode(
  image: Sharp,
  format: NormalisedFormat,
  box: { width: number; height: number } | undefined,
): Promise<{ data: Buffer; info: OutputInfo }> {
  const pipeline = box ? image.clone().resize({ ...box, fit: 'inside' }) : image.clone();
  switch (format) {
    case 'jpg':
      return pipeline
        .flatten({ background: '#ffffff' })
        .jpeg({ quality: JPEG_QUALITY })
        .toBuffer({ resolveWithObject: true });
    case 'png':
      return pipeline.png().toBuffer({ resolveWithObject: true });
    case 'gif':
      return pipeline.gif().toBuffer({ resolveWithObject: true });
  }
}

/**
 * Decodes an upload and re-encodes it in a form Meta accepts for image messages, at
 * most `maxBytes`:
 * - animated GIF or WebP → animated GIF;
 * - transparent images and lossless sources (PNG, static GIF, BMP, TIFF) → PNG;
 * - photos (JPEG, WebP, AVIF, HEIC) → JPEG.
 *
 * The photo is turned upright by its EXIF orientation and its metadata (EXIF, including
 * location) is dropped. When the result is too large an opaque PNG becomes a JPEG, and
 * then the image is scaled down until it fits. Throws when the bytes do not decode.
 */
export async function normaliseImage(
  data: Buffer,
  source: UploadFormat,
  maxBytes = META_IMAGE_MAX_BYTES,
): Promise<NormalisedImage> {
  const { image, hasAlpha, pages } = await open(data, source);
  const animated = pages > 1;
  const transparent = hasAlpha && !(await image.clone().stats()).isOpaque;
  let format: NormalisedFormat = animated
    ? 'gif'
    : transparent || LOSSLESS_SOURCES.has(source)
      ? 'png'
      : 'jpg';
  let box: { width: number; height: number } | undefined;
  for (;;) {
    const { data: output, info } = await encode(image, format, box);
    const height = info.pageHeight ?? info.height;
    if (info.size <= maxBytes) return { data: output, format, width: info.width, height };
    if (format === 'png' && !transparent) {
      format = 'jpg';
      continue;
    }
    if (info.width === 1 && height === 1) {
      throw new Error(`A 1×1 ${format} image is larger than ${maxBytes} bytes`);
    }
    const shrink = Math.min(0.9, 0.9 * Math.sqrt(maxBytes / info.size));
    box = {
      width: Math.max(1, Math.floor(info.width * shrink)),
      height: Math.max(1, Math.floor(height * shrink)),
    };
  }
}
