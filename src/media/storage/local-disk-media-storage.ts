import { Inject, Injectable } from '@nestjs/common';
import { createReadStream } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { appConfig, type AppConfig } from '../../config/app.config';
import {
  MEDIA_NAME_PATTERN,
  newMediaName,
  type MediaStorage,
  type StoredMediaFile,
} from './media-storage';

/** Stores media as files in `app.mediaDir` (`MEDIA_STORAGE=local`: one instance only). */
@Injectable()
export class LocalDiskMediaStorage implements MediaStorage {
  private readonly dir: string;

  constructor(@Inject(appConfig.KEY) config: AppConfig) {
    this.dir = config.mediaDir;
  }

  async save(data: Buffer, ext: string): Promise<{ name: string }> {
    const name = newMediaName(ext);
    await mkdir(this.dir, { recursive: true });
    await writeFile(join(this.dir, name), data, { flag: 'wx' });
    return { name };
  }

  async open(name: string): Promise<StoredMediaFile | null> {
    if (!MEDIA_NAME_PATTERN.test(name)) return null;
    const path = join(this.dir, name);
    try {
      const info = await stat(path);
      if (!info.isFile()) return null;
      return { size: info.size, storedAt: info.mtime, read: () => createReadStream(path) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }
}
