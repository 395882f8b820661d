import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { finished } from 'node:stream/promises';
import { mongo, type Connection } from 'mongoose';
import {
  MEDIA_NAME_PATTERN,
  newMediaName,
  type MediaStorage,
  type StoredMediaFile,
} from './media-storage';

/**
 * The GridFS bucket of uploads: `media.files` holds one document per file (its `filename` is the
 * media name), `media.chunks` its bytes in 255 KB chunks. The driver creates the bucket's indexes
 * (`filename, uploadDate` for the lookup by name; unique `files_id, n` for reading the chunks in
 * order) before the first upload.
 */
const BUCKET_NAME = 'media';

/**
 * Stores media in the database with GridFS (`MEDIA_STORAGE=gridfs`, the default), so every
 * instance serves every upload. Media are public (Meta fetches them by URL) and belong to no
 * owner, so this repository takes no owner scope. A file becomes visible only once all its
 * chunks are written (its `media.files` document is written last).
 */
@Injectable()
export class GridFsMediaRepository implements MediaStorage {
  private bucketInstance?: mongo.GridFSBucket;

  constructor(@InjectConnection() private readonly connection: Connection) {}

  private get bucket(): mongo.GridFSBucket {
    this.bucketInstance ??= new mongo.GridFSBucket(this.connection.db!, {
      bucketName: BUCKET_NAME,
    });
    return this.bucketInstance;
  }

  async save(data: Buffer, ext: string): Promise<{ name: string }> {
    const name = newMediaName(ext);
    const upload = this.bucket.openUploadStream(name);
    try {
      upload.end(data);
      await finished(upload);
    } catch (error) {
      await upload.abort().catch(() => undefined);
      throw error;
    }
    return { name };
  }

  async open(name: string): Promise<StoredMediaFile | null> {
    if (!MEDIA_NAME_PATTERN.test(name)) return null;
    const [file] = await this.bucket.find({ filename: name }, { limit: 1 }).toArray();
    if (!file) return null;
    return {
      size: file.length,
      storedAt: file.uploadDate,
      read: () => this.bucket.openDownloadStream(file._id),
    };
  }
}
