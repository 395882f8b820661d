import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Route } from '../common/decorators';
import { AuditLogsService } from './audit-logs.service';
import { toAuditLogListResponse } from './audit-log.mapper';
import { AuditLogListResponseDto } from './dto/audit-log-response.dto';
import { ListAuditLogsQueryDto } from './dto/list-audit-logs-query.dto';

@ApiTags('Audit logs')
@Controller('v1/logs')
export class AuditLogsController {
  constructor(private readonly auditLogs: AuditLogsService) {}

  @Route({
    permission: 'view-logs',
    summary: 'Security-relevant events, newest first',
    errors: [400],
  })
  @Get()
  @ApiOkResponse({ type: AuditLogListResponseDto })
  async list(@Query() query: ListAuditLogsQueryDto): Promise<AuditLogListResponseDto> {
    return toAuditLogListResponse(await this.auditLogs.list(query));
  }
}
