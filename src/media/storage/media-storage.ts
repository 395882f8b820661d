import type { Readable } from 'node:stream';

/** DI token of the {@link MediaStorage} in use. */
export const MEDIA_STORAGE = Symbol('MEDIA_STORAGE');

/** Names given to stored files: 32 random hex characters and the format's extension. */
export const MEDIA_NAME_PATTERN = /^[0-9a-f]{32}\.(jpg|png|gif|webp)$/;

export interface StoredMediaFile {
  stream: Readable;
  size: number;
}

/** Where uploaded media lives (local disk today; an object store can implement the same). */
export interface MediaStorage {
  /** Stores the bytes under a new random name ending in `.ext`. */
  save(data: Buffer, ext: string): Promise<{ name: string }>;
  /** The stored file, or null when no file has this name. */
  open(name: string): Promise<StoredMediaFile | null>;
}
