import { Injectable, type PipeTransform } from '@nestjs/common';
import { NotFoundError } from '../common/errors';
import type { QueueName } from '../queue/queue-names';
import { isQueueName } from './queue-admin.service';

/** A `:queue` path parameter: one of the product's queues, else 404. */
@Injectable()
export class ParseQueueNamePipe implements PipeTransform<string, QueueName> {
  transform(value: string): QueueName {
    if (!isQueueName(value)) throw new NotFoundError('Queue');
    return value;
  }
}
