import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { AuditLog } from './schemas/audit-log.schema';

@Injectable()
export class AuditLogsRepository {
  constructor(@InjectModel(AuditLog.name) readonly model: Model<AuditLog>) {}

  async insert(entry: Omit<AuditLog, '_id' | 'createdAt'>): Promise<void> {
    await this.model.create(entry);
  }
}
