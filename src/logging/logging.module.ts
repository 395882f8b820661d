import { Module } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { appConfig, type AppConfig } from '../config/app.config';
import { logStreamFor } from './log-output';

/** Paths whose values never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hub-signature-256"]',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  '*.accessToken',
  '*.pageAccessToken',
  '*.access_token',
  '*.password',
  '*.refreshToken',
  '*.token',
];

/** Query strings carry reset/verify tokens and the webhook verify token: never log them. */
export function pathWithoutQuery(url: string | undefined): string {
  return (url ?? '').split('?')[0];
}

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (config: AppConfig) => {
        const options = {
          level: config.logLevel,
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? '',
          customProps: () => ({ context: 'HTTP' }),
          serializers: {
            req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({
              id: req.id,
              method: req.method,
              path: pathWithoutQuery(req.url),
              remoteAddress: req.remoteAddress,
            }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          },
          autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health-check' },
        };
        const stream = logStreamFor(config);
        return { pinoHttp: stream ? [options, stream] : options };
      },
    }),
  ],
})
export class LoggingModule {}
