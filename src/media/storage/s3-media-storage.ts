import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { OnModuleDestroy } from '@nestjs/common';
import { Readable } from 'node:stream';
import type { S3MediaSettings } from '../../config/media.config';
import { IMAGE_CONTENT_TYPES, type StoredImageFormat } from '../image-format';
import {
  MEDIA_NAME_PATTERN,
  newMediaName,
  type MediaStorage,
  type StoredMediaFile,
} from './media-storage';

/**
 * Stores media as objects of an S3-compatible bucket (`MEDIA_STORAGE=s3`), so every instance
 * serves every upload. The object key is the media name; the bucket must exist.
 */
export class S3MediaStorage implements MediaStorage, OnModuleDestroy {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(settings: S3MediaSettings) {
    this.bucket = settings.bucket;
    this.client = new S3Client({
      endpoint: settings.endpoint,
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      credentials: {
        accessKeyId: settings.accessKeyId,
        secretAccessKey: settings.secretAccessKey,
      },
      // Checksums only where S3 requires them: many S3-compatible servers reject the others.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async save(data: Buffer, ext: string): Promise<{ name: string }> {
    const name = newMediaName(ext);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: name,
        Body: data,
        ContentLength: data.length,
        ContentType: IMAGE_CONTENT_TYPES[ext as StoredImageFormat],
      }),
    );
    return { name };
  }

  async open(name: string): Promise<StoredMediaFile | null> {
    if (!MEDIA_NAME_PATTERN.test(name)) return null;
    try {
      const head = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: name }),
      );
      return {
        size: head.ContentLength ?? 0,
        storedAt: head.LastModified ?? new Date(0),
        read: () => Readable.from(this.download(name), { objectMode: false }),
      };
    } catch (error) {
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) {
        return null;
      }
      throw error;
    }
  }

  onModuleDestroy(): void {
    this.client.destroy();
  }

  /** The object's bytes, requested only when the stream is first read. */
  private async *download(name: string): AsyncGenerator<Buffer> {
    const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: name }));
    if (!(object.Body instanceof Readable)) throw new Error(`S3 object ${name} has no body stream`);
    for await (const chunk of object.Body) yield chunk as Buffer;
  }
}
