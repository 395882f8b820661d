import { Injectable, PipeTransform } from '@nestjs/common';
import { isValidObjectId } from 'mongoose';
import { ValidationError } from '../errors';

/** 400 for anything that is not a 24-hex-character ObjectId. */
@Injectable()
export class ParseObjectIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || !/^[0-9a-f]{24}$/i.test(value) || !isValidObjectId(value)) {
      throw new ValidationError('Malformed id', [
        { field: 'id', messages: ['must be a 24-character hex id'] },
      ]);
    }
    return value.toLowerCase();
  }
}
