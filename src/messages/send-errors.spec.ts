import { Types } from 'mongoose';
import { ConflictError } from '../common/errors';
import { toMetaApiError } from '../meta/meta-api.error';
import type { MessageRecord } from './messages.repository';
import { RepeatedSendError, TextNotSentError, toSendAnswer } from './send-errors';

const attachment = {
  _id: new Types.ObjectId('665f1c2e8b3c4a0012345678'),
  messageId: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx',
} as MessageRecord;

describe('TextNotSentError', () => {
  it('keeps the status and Retry-After of the text’s failure and names both parts', () => {
    const rateLimited = toMetaApiError({
      httpStatus: 400,
      body: { error: { message: '(#4) Application request limit reached', code: 4 } },
      headers: { 'retry-after': '120' },
      isSend: true,
    });
    const error = new TextNotSentError(rateLimited, attachment);
    expect(error.status).toBe(429);
    expect(error.headers()).toEqual({ 'Retry-After': '120' });
    expect(error.message).toBe(
      'The attachment was sent, but the text was not: (#4) Application request limit reached',
    );
    expect(error.details).toEqual([
      { part: 'text', reason: 'rate_limited', retryable: true, metaCode: 4, metaHttpStatus: 400 },
      {
        part: 'attachment',
        sent: true,
        id: '665f1c2e8b3c4a0012345678',
        messageId: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx',
      },
    ]);
  });
});

describe('RepeatedSendError', () => {
  it('answers exactly what was stored', () => {
    const first = new ConflictError('Taken', [{ reason: 'x' }]);
    const repeated = new RepeatedSendError(toSendAnswer(first));
    expect(repeated).toMatchObject({ status: 409, message: 'Taken', details: [{ reason: 'x' }] });
    expect(repeated.headers()).toEqual({});
  });
});
