import { Controller, Get, Headers, Param, Res, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { PublicRoute } from '../common/decorators';
import { IMAGE_CONTENT_TYPES } from './image-format';
import { MediaService } from './media.service';

/** A stored file never changes, so clients and proxies may keep it for a year. */
const CACHE_CONTROL = 'public, max-age=31536000, immutable';

/** Whether an `If-None-Match` header names this entity tag (weak comparison, RFC 9110 §13.1.2). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === '*' || tag.replace(/^W\//, '') === etag);
}

@ApiTags('Upload')
@Controller('media')
export class MediaController {
  constructor(private readonly media: MediaService) {}

  @PublicRoute({
    summary: 'An uploaded image (public, so Meta can fetch it)',
    description:
      'Served by every instance. A stored image never changes: `Cache-Control: public, ' +
      'max-age=31536000, immutable`, a strong `ETag` and `Last-Modified`; a request whose ' +
      '`If-None-Match` names the ETag is answered 304 without the bytes.',
    errors: [404],
  })
  @Get(':name')
  @ApiProduces(...Object.values(IMAGE_CONTENT_TYPES))
  @ApiOkResponse({ description: 'The image bytes', schema: { type: 'string', format: 'binary' } })
  @ApiResponse({ status: 304, description: 'Not modified (`If-None-Match` named the ETag)' })
  async get(
    @Param('name') name: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile | undefined> {
    const file = await this.media.open(name);
    void reply.header('Cache-Control', CACHE_CONTROL);
    void reply.header('ETag', file.etag);
    void reply.header('Last-Modified', file.storedAt.toUTCString());
    void reply.header('Cross-Origin-Resource-Policy', 'cross-origin');
    if (matches(ifNoneMatch, file.etag)) {
      void reply.status(304);
      return undefined;
    }
    return new StreamableFile(file.read(), {
      type: file.contentType,
      length: file.size,
      disposition: 'inline',
    });
  }
}
