import { Controller, Get, Param, Res, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { PublicRoute } from '../common/decorators';
import { IMAGE_CONTENT_TYPES } from './image-format';
import { MediaService } from './media.service';

@ApiTags('Upload')
@Controller('media')
export class MediaController {
  constructor(private readonly media: MediaService) {}

  @PublicRoute({ summary: 'An uploaded image (public, so Meta can fetch it)', errors: [404] })
  @Get(':name')
  @ApiProduces(...Object.values(IMAGE_CONTENT_TYPES))
  @ApiOkResponse({ description: 'The image bytes', schema: { type: 'string', format: 'binary' } })
  async get(
    @Param('name') name: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    const file = await this.media.open(name);
    void reply.header('Cache-Control', 'public, max-age=31536000, immutable');
    void reply.header('Cross-Origin-Resource-Policy', 'cross-origin');
    return new StreamableFile(file.stream, {
      type: file.contentType,
      length: file.size,
      disposition: 'inline',
    });
  }
}
