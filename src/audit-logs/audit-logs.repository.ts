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
  constructor(@InjectModel(AuditLog.name) readonly model: Model<AuditLog>) {}

  async insert(entry: Omit<AuditLog, '_id' | 'createdAt'>): Promise<void> {
    await this.model.create(entry);
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
