import { Inject, Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { NotFoundError, PayloadTooLargeError, ValidationError } from '../common/errors';
import { appConfig, type AppConfig } from '../config/app.config';
import type { UploadImageResponseDto } from './dto/upload-image-response.dto';
import { detectImage, IMAGE_CONTENT_TYPES, type ImageFormat } from './image-format';
import { MEDIA_STORAGE, type MediaStorage } from './storage/media-storage';

export interface MediaDownload {
  stream: Readable;
  size: number;
  contentType: string;
}

/** Uploaded images: checked by their bytes, stored under a random name, served publicly. */
@Injectable()
export class MediaService {
  constructor(
    @Inject(MEDIA_STORAGE) private readonly storage: MediaStorage,
    @Inject(appConfig.KEY) private readonly config: AppConfig,
  ) {}

  get maxImageBytes(): number {
    return this.config.maxImageBytes;
  }

  async saveImage(data: Buffer): Promise<UploadImageResponseDto> {
    if (data.length > this.config.maxImageBytes) throw this.tooLarge();
    const image = detectImage(data);
    if (!image) {
      throw new ValidationError('The file is not a JPEG, PNG, GIF or WebP image', [
        { field: 'file', messages: ['must be a JPEG, PNG, GIF or WebP image'] },
      ]);
    }
    const { name } = await this.storage.save(data, image.format);
    return {
      url: `${this.config.appUrl}/media/${name}`,
      public_id: name.slice(0, name.indexOf('.')),
      format: image.format,
      width: image.width,
      height: image.height,
    };
  }

  async open(name: string): Promise<MediaDownload> {
    const file = await this.storage.open(name);
    if (!file) throw new NotFoundError('Media');
    const format = name.slice(name.lastIndexOf('.') + 1) as ImageFormat;
    return { ...file, contentType: IMAGE_CONTENT_TYPES[format] };
  }

  tooLarge(): PayloadTooLargeError {
    return new PayloadTooLargeError(
      `The image must be at most ${this.config.maxImageBytes} bytes`,
      [{ field: 'file', messages: [`must be at most ${this.config.maxImageBytes} bytes`] }],
    );
  }
}
