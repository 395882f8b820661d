import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';

/** DI token of the {@link MediaStorage} in use. */
export const MEDIA_STORAGE = Symbol('MEDIA_STORAGE');

/** Names given to stored files: 32 random hex characters and the format's extension. */
export const MEDIA_NAME_PATTERN = /^[0-9a-f]{32}\.(jpg|png|gif|webp)$/;

/** A new random name for a file of this extension; throws for an extension outside the pattern. */
export function newMediaName(ext: string): string {
  const name = `${randomBytes(16).toString('hex')}.${ext}`;
  if (!MEDIA_NAME_PATTERN.test(name)) throw new Error(`Unsupported media extension "${ext}"`);
  return name;
}

export interface StoredMediaFile {
  size: number;
  /** When the file was stored (a stored file never changes). */
  storedAt: Date;
  /** The file's bytes; nothing is read before this is called. */
  read(): Readable;
}

/**
 * Where uploaded media lives: GridFS in the database or an S3-compatible bucket (every instance
 * serves every file), or the local disk of one instance.
 */
export interface MediaStorage {
  /** Stores the bytes under a new random name ending in `.ext`. */
  save(data: Buffer, ext: string): Promise<{ name: string }>;
  /** The stored file, or null when no file has this name. */
  open(name: string): Promise<StoredMediaFile | null>;
}
