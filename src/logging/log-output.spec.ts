import pino from 'pino';
import { PassThrough } from 'node:stream';
import { logFormatFor, logStreamFor, prettyLogStream } from './log-output';

describe('log output', () => {
  it('is readable in development and JSON in production and tests', () => {
    expect(logFormatFor({ nodeEnv: 'development' })).toBe('pretty');
    expect(logFormatFor({ nodeEnv: 'production' })).toBe('json');
    expect(logFormatFor({ nodeEnv: 'test' })).toBe('json');
    expect(logStreamFor({ nodeEnv: 'production' })).toBeUndefined();
  });

  it('writes a development entry as one line: time, level, [context] and message', async () => {
    const destination = new PassThrough();
    let written = '';
    destination.on('data', (chunk: Buffer) => (written += chunk.toString()));
    const logger = pino({ level: 'info' }, prettyLogStream(destination));

    logger.child({ context: 'Bootstrap' }).info({ port: 8000 }, 'API listening');
    await new Promise((resolve) => setImmediate(resolve));

    expect(written).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[Bootstrap\] API listening \{"port":8000\}\n$/,
    );
  });
});
