import { imageSize } from 'image-size';
import sharp from 'sharp';

/** Formats accepted for upload, recognised from the file's own bytes. */
export const UPLOAD_FORMATS = [
  'jpeg',
  'png',
  'gif',
  'webp',
  'avif',
  'tiff',
  'bmp',
  'heic',
] as const;
export type UploadFormat = (typeof UPLOAD_FORMATS)[number];

/** Content types of the stored formats (`webp` only for files stored before uploads were normalised). */
export const IMAGE_CONTENT_TYPES = {
  jpg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
} as const;

export type StoredImageFormat = keyof typeof IMAGE_CONTENT_TYPES;

export interface DetectedImage {
  format: UploadFormat;
  width: number;
  height: number;
}

/** image-size's type names for the formats it reads directly. */
const SIZE_TYPES: Readonly<Record<string, UploadFormat>> = {
  jpg: 'jpeg',
  png: 'png',
  gif: 'gif',
  webp: 'webp',
  tiff: 'tiff',
  bmp: 'bmp',
};

const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis']);

/** The major and compatible brands of an ISO-BMFF `ftyp` box at the start of the file. */
function ftypBrands(data: Uint8Array): string[] {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (bytes.length < 16 || bytes.toString('latin1', 4, 8) !== 'ftyp') return [];
  const size = Math.min(bytes.readUInt32BE(0), bytes.length);
  const brands = [bytes.toString('latin1', 8, 12)];
  for (let offset = 16; offset + 4 <= size; offset += 4) {
    brands.push(bytes.toString('latin1', offset, offset + 4));
  }
  return brands;
}

/** AVIF or HEIC, told apart by the brands of a HEIF container (the major one first). */
function heifFormat(data: Uint8Array): UploadFormat | null {
  for (const brand of ftypBrands(data)) {
    if (AVIF_BRANDS.has(brand)) return 'avif';
    if (HEIC_BRANDS.has(brand)) return 'heic';
  }
  return null;
}

/**
 * The format and size read from the file's own bytes, before anything decodes it;
 * null unless one of {@link UPLOAD_FORMATS}.
 */
export function detectImage(data: Uint8Array): DetectedImage | null {
  try {
    const { type, width, height } = imageSize(data);
    if (type === undefined || !(width > 0) || !(height > 0)) return null;
    const format = Object.hasOwn(SIZE_TYPES, type) ? SIZE_TYPES[type] : heifFormat(data);
    return format ? { format, width, height } : null;
  } catch {
    return null;
  }
}

/**
 * Whether the image library in this installation reads HEVC-coded HEIC (Apple's default
 * photo format). sharp's prebuilt libvips ships no HEVC decoder and lists only `.avif`
 * for its HEIF loader; a libvips that lists `.heic` is trusted to decode it (when it
 * cannot after all, the upload still fails as undecodable).
 */
export function heicDecodingAvailable(): boolean {
  return sharp.format.heif.input.fileSuffix?.includes('.heic') ?? false;
}

/** The formats this installation accepts for upload, e.g. "JPEG, PNG … or BMP". */
export function acceptedFormatsLabel(): string {
  const formats = ['JPEG', 'PNG', 'GIF', 'WebP', 'AVIF', 'TIFF', 'BMP'];
  if (heicDecodingAvailable()) formats.push('HEIC');
  return `${formats.slice(0, -1).join(', ')} or ${formats.at(-1)}`;
}
