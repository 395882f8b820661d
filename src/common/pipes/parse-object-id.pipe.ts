import { Injectable, PipeTransform } from '@nestjs/common';
import { ValidationError } from '../errors';
import { isObjectIdString } from '../utils/object-id';

/** 400 for anything that is not a 24-hex-character ObjectId; answers it in lower case. */
@Injectable()
export class ParseObjectIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isObjectIdString(value)) {
      throw new ValidationError('Malformed id', [
        { field: 'id', messages: ['must be a 24-character hex id'] },
      ]);
    }
    return value.toLowerCase();
  }
}
