import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/decorators';
import { DevOutbox } from './dev-outbox';
import { OutboxResponseDto } from './dto/outbox-response.dto';

/** Registered only when NODE_ENV=development. */
@ApiTags('Development')
@Controller('v1/dev')
export class DevOutboxController {
  constructor(private readonly outbox: DevOutbox) {}

  @Public()
  @Get('outbox')
  @ApiOperation({
    summary: 'Mails kept instead of sent (development only, when SMTP_URL is not set)',
  })
  @ApiOkResponse({ type: OutboxResponseDto })
  list(): OutboxResponseDto {
    return {
      mails: this.outbox.list().map((mail) => ({ ...mail, queuedAt: mail.queuedAt.toISOString() })),
    };
  }
}
