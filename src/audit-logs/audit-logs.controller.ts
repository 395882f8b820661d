import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses, Permissions } from '../common/decorators';
import { AuditLogsService } from './audit-logs.service';
import { AuditLogListResponseDto, toAuditLogResponse } from './dto/audit-log-response.dto';
import { ListAuditLogsQueryDto } from './dto/list-audit-logs-query.dto';

@ApiTags('Audit logs')
@ApiBearerAuth()
@Controller('v1/logs')
export class AuditLogsController {
  constructor(private readonly auditLogs: AuditLogsService) {}

  @Permissions('view-logs')
  @Get()
  @ApiOperation({ summary: 'Security-relevant events, newest first' })
  @ApiOkResponse({ type: AuditLogListResponseDto })
  @ApiErrorResponses(400, 401, 403)
  async list(@Query() query: ListAuditLogsQueryDto): Promise<AuditLogListResponseDto> {
    const page = await this.auditLogs.list(query);
    return { ...page, logs: page.logs.map(toAuditLogResponse) };
  }
}
