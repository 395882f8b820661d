import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { AppConfig } from '../config/app.config';

/**
 * Where log lines go and how they look: people read development logs (one readable line per
 * entry, `[Context] message`), machines read production logs (one JSON object per line). Tests
 * log nothing unless `LOG_LEVEL` asks for it.
 */
export type LogFormat = 'pretty' | 'json';

export function logFormatFor(config: Pick<AppConfig, 'nodeEnv'>): LogFormat {
  return config.nodeEnv === 'development' ? 'pretty' : 'json';
}

/** The human-readable output of development; `destination` defaults to stdout. */
export function prettyLogStream(
  destination: number | NodeJS.WritableStream = 1,
): DestinationStream {
  return pretty({
    destination,
    sync: true,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,context',
    messageFormat: '{if context}[{context}] {end}{msg}',
  });
}

/** The stream for `config`'s format, or undefined for pino's own JSON output to stdout. */
export function logStreamFor(config: Pick<AppConfig, 'nodeEnv'>): DestinationStream | undefined {
  return logFormatFor(config) === 'pretty' ? prettyLogStream() : undefined;
}

/**
 * A logger for what a process says before (or without) the application: start-up, the database
 * it uses, shutdown and fatal errors. Same level and format as the application's logs.
 */
export function createProcessLogger(
  config: Pick<AppConfig, 'nodeEnv' | 'logLevel'>,
  context: string,
): Logger {
  const stream = logStreamFor(config);
  const root = stream ? pino({ level: config.logLevel }, stream) : pino({ level: config.logLevel });
  return root.child({ context });
}
