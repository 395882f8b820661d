import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types, type QueryFilter } from 'mongoose';
import { AuditLog, type AuditAction } from './schemas/audit-log.schema';

export interface AuditLogFilter {
  /** The user the events are about. */
  userId?: string;
  action?: AuditAction;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
}

/** An entry to store, with the users it names by id. */
export interface NewAuditLogEntry {
  action: AuditAction;
  actorId?: string;
  subjectUserId?: string;
  target?: { type: string; id: string };
  ip?: string;
  userAgent?: string;
  metadata: Record<string, unknown>;
}

function toQuery(filter: AuditLogFilter): QueryFilter<AuditLog> {
  const query: QueryFilter<AuditLog> = {};
  if (filter.userId) query.subjectUser = new Types.ObjectId(filter.userId);
  if (filter.action) query.action = filter.action;
  if (filter.from || filter.to) {
    query.createdAt = {
      ...(filter.from ? { $gte: filter.from } : {}),
      ...(filter.to ? { $lt: filter.to } : {}),
    };
  }
  return query;
}

@Injectable()
export class AuditLogsRepository {
  constructor(@InjectModel(AuditLog.name) private readonly model: Model<AuditLog>) {}

  async insert(entry: NewAuditLogEntry): Promise<void> {
    const { actorId, subjectUserId, ...fields } = entry;
    await this.model.create({
      ...fields,
      actor: actorId ? new Types.ObjectId(actorId) : undefined,
      subjectUser: subjectUserId ? new Types.ObjectId(subjectUserId) : undefined,
    });
  }

  /** Newest first. */
  list(filter: AuditLogFilter, page: { limit: number; skip: number }): Promise<AuditLog[]> {
    return this.model
      .find(toQuery(filter))
      .sort({ createdAt: -1, _id: -1 })
      .skip(page.skip)
      .limit(page.limit)
      .lean<AuditLog[]>()
      .exec();
  }

  count(filter: AuditLogFilter): Promise<number> {
    return this.model.countDocuments(toQuery(filter)).exec();
  }
}
