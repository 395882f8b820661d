import {
  Controller,
  Get,
  Headers,
  HttpCode,
  Post,
  Query,
  Req,
  Res,
  type RawBodyRequest,
} from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PublicRoute, Route } from '../common/decorators';
import { InboxStatsDto } from './dto/inbox-stats.dto';
import { WebhookService } from './webhook.service';

const PLAIN_TEXT = 'text/plain; charset=utf-8';

@ApiTags('Webhook')
@Controller('v1/webhook')
export class WebhookController {
  constructor(private readonly webhook: WebhookService) {}

  @PublicRoute({
    summary: 'Meta webhook verification handshake',
    errors: [400, { status: 403, description: 'Wrong `hub.mode` or `hub.verify_token`' }],
  })
  @Get()
  @ApiQuery({ name: 'hub.mode', required: true, example: 'subscribe' })
  @ApiQuery({ name: 'hub.verify_token', required: true })
  @ApiQuery({ name: 'hub.challenge', required: true, example: '1158201444' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'The challenge, as plain text', schema: { type: 'string' } })
  verify(
    @Query('hub.mode') mode: unknown,
    @Query('hub.verify_token') token: unknown,
    @Query('hub.challenge') challenge: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): string {
    const answer = this.webhook.verifySubscription(mode, token, challenge);
    void reply.type(PLAIN_TEXT);
    return answer;
  }

  @PublicRoute({
    summary: 'Receive Meta webhook deliveries',
    description:
      'Verifies `X-Hub-Signature-256`, stores every update in the inbox and answers ' +
      '`EVENT_RECEIVED`; updates are processed in the background. Only `object: "instagram"` ' +
      'deliveries are stored.',
    errors: [400, { status: 401, description: 'Missing or invalid `X-Hub-Signature-256`' }, 413],
  })
  @Post()
  @HttpCode(200)
  @ApiHeader({ name: 'X-Hub-Signature-256', required: true, description: 'sha256=<hex HMAC>' })
  @ApiBody({ schema: { type: 'object', example: { object: 'instagram', entry: [] } } })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: '`EVENT_RECEIVED`',
    schema: { type: 'string', example: 'EVENT_RECEIVED' },
  })
  async receive(
    @Req() request: RawBodyRequest<FastifyRequest>,
    @Headers('x-hub-signature-256') signature: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    await this.webhook.receive(request.rawBody, signature, request.body);
    void reply.type(PLAIN_TEXT);
    return 'EVENT_RECEIVED';
  }

  @Route({
    permission: 'view-logs',
    summary: 'Webhook inbox health: entries by status, recent failures and pending retries',
  })
  @Get('inbox')
  @ApiOkResponse({ type: InboxStatsDto })
  stats(): Promise<InboxStatsDto> {
    return this.webhook.stats();
  }
}
