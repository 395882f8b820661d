import { Inject, Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { NotFoundError, PayloadTooLargeError, ValidationError } from '../common/errors';
import { appConfig, type AppConfig } from '../config/app.config';
import type { UploadImageResponseDto } from './dto/upload-image-response.dto';
import {
  acceptedFormatsLabel,
  detectImage,
  heicDecodingAvailable,
  IMAGE_CONTENT_TYPES,
  type StoredImageFormat,
} from './image-format';
import { MAX_INPUT_PIXELS, normaliseImage, type NormalisedImage } from './image-normaliser';
import { MEDIA_STORAGE, type MediaStorage } from './storage/media-storage';

export interface MediaDownload {
  size: number;
  contentType: string;
  /** Strong validator: a name is never given to other bytes, so the name identifies the content. */
  etag: string;
  storedAt: Date;
  read(): Readable;
}

function notAnImage(reason: string): ValidationError {
  return new ValidationError(reason, [
    { field: 'file', messages: [`must be a ${acceptedFormatsLabel()} image`] },
  ]);
}

/**
 * Uploaded images: checked by their bytes, normalised to a JPEG, PNG or GIF Meta accepts
 * for image messages, stored under a random name and served publicly.
 */
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
    const detected = detectImage(data);
    if (!detected) throw notAnImage(`The file is not a ${acceptedFormatsLabel()} image`);
    if (detected.width * detected.height > MAX_INPUT_PIXELS) {
      throw new ValidationError(`The image must have at most ${MAX_INPUT_PIXELS} pixels`, [
        { field: 'file', messages: [`must have at most ${MAX_INPUT_PIXELS} pixels`] },
      ]);
    }
    if (detected.format === 'heic' && !heicDecodingAvailable()) {
      throw notAnImage('HEIC images cannot be decoded on this server: send a JPEG or PNG');
    }
    let image: NormalisedImage;
    try {
      image = await normaliseImage(data, detected.format);
    } catch {
      throw notAnImage(`The ${detected.format.toUpperCase()} image could not be decoded`);
    }
    const { name } = await this.storage.save(image.data, image.format);
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
    const dot = name.lastIndexOf('.');
    const format = name.slice(dot + 1) as StoredImageFormat;
    return {
      size: file.size,
      contentType: IMAGE_CONTENT_TYPES[format],
      etag: `"${name.slice(0, dot)}"`,
      storedAt: file.storedAt,
      read: () => file.read(),
    };
  }

  tooLarge(): PayloadTooLargeError {
    return new PayloadTooLargeError(
      `The image must be at most ${this.config.maxImageBytes} bytes`,
      [{ field: 'file', messages: [`must be at most ${this.config.maxImageBytes} bytes`] }],
    );
  }
}
