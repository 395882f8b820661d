import type { MultipartFile } from '@fastify/multipart';
import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Route } from '../common/decorators';
import { ValidationError } from '../common/errors';
import { UploadImageResponseDto } from './dto/upload-image-response.dto';
import { MediaService } from './media.service';

const FILE_FIELD = 'file';

function missingFile(): ValidationError {
  return new ValidationError(`Send the image as multipart/form-data in the "${FILE_FIELD}" field`, [
    { field: FILE_FIELD, messages: ['an image file is required'] },
  ]);
}

@ApiTags('Upload')
@Controller('v1/upload')
export class UploadController {
  constructor(private readonly media: MediaService) {}

  @Route({
    permission: 'send-messages',
    summary: 'Upload an image to send as a message attachment',
    description:
      'JPEG, PNG, GIF, WebP, AVIF, TIFF or BMP, and HEIC where the server’s image decoder ' +
      'reads it (recognised from the file’s bytes, whatever its name or content type), at ' +
      'most `MAX_IMAGE_BYTES` (10 MB by default) and 8192 × 8192 pixels. The image is ' +
      'normalised to what Meta accepts for image messages, at most 8 MB: animated GIF or ' +
      'WebP → animated GIF; transparent images, PNG, static GIF, BMP and TIFF → PNG; other ' +
      'photos → JPEG; turned upright by its EXIF orientation, metadata (including location) ' +
      'removed, scaled down only when needed to fit. 400 for anything else, 413 over the ' +
      'size limit. The returned URL is public.',
    errors: [400, 413],
  })
  @Post('image')
  @HttpCode(201)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: [FILE_FIELD],
      properties: { [FILE_FIELD]: { type: 'string', format: 'binary' } },
    },
  })
  @ApiCreatedResponse({ type: UploadImageResponseDto })
  async uploadImage(@Req() request: FastifyRequest): Promise<UploadImageResponseDto> {
    if (!request.isMultipart()) throw missingFile();
    let part: MultipartFile | undefined;
    let data: Buffer;
    try {
      part = await request.file({ limits: { fileSize: this.media.maxImageBytes, files: 1 } });
      if (!part || part.fieldname !== FILE_FIELD) {
        part?.file.resume();
        throw missingFile();
      }
      data = await part.toBuffer();
    } catch (error) {
      if ((error as { code?: unknown }).code === 'FST_REQ_FILE_TOO_LARGE') {
        throw this.media.tooLarge();
      }
      throw error;
    }
    return this.media.saveImage(data);
  }
}
