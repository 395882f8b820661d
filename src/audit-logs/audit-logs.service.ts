import { Injectable, Logger } from '@nestjs/common';
import { Types } from 'mongoose';
import { AuditLogsRepository } from './audit-logs.repository';
import type { AuditAction } from './schemas/audit-log.schema';

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
        actor: actor ? new Types.ObjectId(actor) : undefined,
        subjectUser: subject ? new Types.ObjectId(subject) : undefined,
        target: entry.target,
        ip: entry.context?.ip,
        userAgent: entry.context?.userAgent?.slice(0, 512),
        metadata: entry.metadata ?? {},
      });
    } catch (error) {
      this.logger.error({ err: error, action: entry.action }, 'Could not write audit log entry');
    }
  }
}
