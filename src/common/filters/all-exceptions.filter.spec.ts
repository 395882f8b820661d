import { BadRequestException, NotFoundException } from '@nestjs/common';
import { ConflictError, TooManyRequestsError } from '../errors';
import { mapException, toEnvelope } from './all-exceptions.filter';

describe('mapException / toEnvelope', () => {
  it('hides an unexpected error behind a 500 that carries only the request id', () => {
    const error = new Error('connection string mongodb://user:secret@db failed at line 42');
    const envelope = toEnvelope(mapException(error), 'req-123');
    expect(envelope).toEqual({
      error: { code: 500, message: 'Internal server error', details: [], requestId: 'req-123' },
    });
    expect(JSON.stringify(envelope)).not.toContain('secret');
  });

  it('maps domain errors with their status, message, details and headers', () => {
    const mapped = mapException(new TooManyRequestsError('Slow down', 2.2, [{ scope: 'ip' }]));
    expect(mapped).toEqual({
      status: 429,
      message: 'Slow down',
      details: [{ scope: 'ip' }],
      headers: { 'Retry-After': '3' },
    });
    expect(toEnvelope(mapException(new ConflictError('Taken')), 'r')).toEqual({
      error: { code: 409, message: 'Taken', details: [] },
    });
  });

  it('keeps validation messages of Nest exceptions as details', () => {
    const mapped = mapException(new BadRequestException(['email must be an email']));
    expect(mapped).toMatchObject({ status: 400, details: ['email must be an email'] });
  });

  it('names an unknown route plainly', () => {
    expect(mapException(new NotFoundException('Cannot GET /nope')).message).toBe('Route not found');
  });

  it('passes client errors raised by the HTTP layer through with their status', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), {
      statusCode: 413,
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
    });
    expect(mapException(tooLarge)).toMatchObject({
      status: 413,
      message: 'Request body is too large',
    });
  });
});
