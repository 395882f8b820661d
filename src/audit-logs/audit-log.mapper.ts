import type { AuditLogPage } from './audit-logs.service';
import type { AuditLogListResponseDto, AuditLogResponseDto } from './dto/audit-log-response.dto';
import type { AuditLog } from './schemas/audit-log.schema';

export function toAuditLogResponse(entry: AuditLog): AuditLogResponseDto {
  return {
    id: String(entry._id),
    action: entry.action,
    actorId: entry.actor ? String(entry.actor) : undefined,
    userId: entry.subjectUser ? String(entry.subjectUser) : undefined,
    target: entry.target ? { type: entry.target.type, id: entry.target.id } : undefined,
    ip: entry.ip,
    userAgent: entry.userAgent,
    metadata: entry.metadata ?? {},
    createdAt: entry.createdAt.toISOString(),
  };
}

export function toAuditLogListResponse(page: AuditLogPage): AuditLogListResponseDto {
  return { ...page, logs: page.logs.map(toAuditLogResponse) };
}
