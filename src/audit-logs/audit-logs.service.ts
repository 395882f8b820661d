import { Injectable, Logger } from '@nestjs/common';
import { ValidationError } from '../common/errors';
import { AuditLogsRepository } from './audit-logs.repository';
import {
  DEFAULT_LOGS_PAGE_SIZE,
  type ListAuditLogsQueryDto,
} from './dto/list-audit-logs-query.dto';
import type { AuditAction, AuditLog } from './schemas/audit-log.schema';

/** Who asked, from where: taken from the request by the controller. */
export interface RequestContext {
  userId?: string;
  ip?: string;
  userAgent?: string;
}

export interface AuditEntry {
  action: AuditAction;
  context?: RequestContext;
  /** The user the event is about, when not the actor. */
  subjectUserId?: string;
  target?: { type: string; id: string };
  /** Never secrets or tokens. */
  metadata?: Record<string, unknown>;
}

export interface AuditLogPage {
  logs: AuditLog[];
  total: number;
  limit: number;
  skip: number;
}

/** Writes security-relevant events; a failure to write is logged, never thrown at the caller. */
@Injectable()
export class AuditLogsService {
  private readonly logger = new Logger(AuditLogsService.name);

  constructor(private readonly repository: AuditLogsRepository) {}

  async record(entry: AuditEntry): Promise<void> {
    const actor = entry.context?.userId;
    const subject = entry.subjectUserId ?? actor;
    try {
      await this.repository.insert({
        action: entry.action,
        actorId: actor,
        subjectUserId: subject,
        target: entry.target,
        ip: entry.context?.ip,
        userAgent: entry.context?.userAgent?.slice(0, 512),
        metadata: entry.metadata ?? {},
      });
    } catch (error) {
      this.logger.error({ err: error, action: entry.action }, 'Could not write audit log entry');
    }
  }

  /** Newest first, filtered by subject user, action and time range. */
  async list(query: ListAuditLogsQueryDto): Promise<AuditLogPage> {
    const limit = query.limit ?? DEFAULT_LOGS_PAGE_SIZE;
    const skip = query.skip ?? 0;
    const from = query.from ? new Date(query.from) : undefined;
    const to = query.to ? new Date(query.to) : undefined;
    if (from && to && from > to) {
      throw new ValidationError('Validation failed', [
        { field: 'from', messages: ['from must not be later than to'] },
      ]);
    }
    const filter = { userId: query.userId, action: query.action, from, to };
    const [logs, total] = await Promise.all([
      this.repository.list(filter, { limit, skip }),
      this.repository.count(filter),
    ]);
    return { logs, total, limit, skip };
  }
}
