import { imageSize } from 'image-size';

/** Accepted image formats (as detected from the bytes) and their content types. */
export const IMAGE_CONTENT_TYPES = {
  jpg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
} as const;

export type ImageFormat = keyof typeof IMAGE_CONTENT_TYPES;

export interface DetectedImage {
  format: ImageFormat;
  width: number;
  height: number;
}

function isImageFormat(type: string | undefined): type is ImageFormat {
  return type !== undefined && Object.hasOwn(IMAGE_CONTENT_TYPES, type);
}

/** The format and size read from the file's own bytes; null unless a JPEG, PNG, GIF or WebP. */
export function detectImage(data: Uint8Array): DetectedImage | null {
  try {
    const { type, width, height } = imageSize(data);
    if (!isImageFormat(type) || !(width > 0) || !(height > 0)) return null;
    return { format: type, width, height };
  } catch {
    return null;
  }
}
