import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { PublicRoute } from '../common/decorators';
import { DevOutbox } from './dev-outbox';
import { OutboxResponseDto } from './dto/outbox-response.dto';

/** Registered only when NODE_ENV=development. */
@ApiTags('Development')
@Controller('v1/dev')
export class DevOutboxController {
  constructor(private readonly outbox: DevOutbox) {}

  @PublicRoute({
    summary: 'Mails kept instead of sent (development only, when SMTP_URL is not set)',
  })
  @Get('outbox')
  @ApiOkResponse({ type: OutboxResponseDto })
  list(): OutboxResponseDto {
    return {
      mails: this.outbox.list().map((mail) => ({ ...mail, queuedAt: mail.queuedAt.toISOString() })),
    };
  }
}
