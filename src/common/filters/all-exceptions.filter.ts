import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../errors';

export interface ErrorEnvelope {
  error: { code: number; message: string; details: unknown[]; requestId?: string };
}

interface Mapped {
  status: number;
  message: string;
  details: unknown[];
  headers: Record<string, string>;
}

const STATUS_MESSAGES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable entity',
  429: 'Too many requests',
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
};

function messageOf(status: number): string {
  return STATUS_MESSAGES[status] ?? 'Error';
}

/** Maps anything thrown (domain errors, Nest HTTP exceptions, Fastify errors) to the envelope. */
export function mapException(exception: unknown): Mapped {
  if (exception instanceof DomainError) {
    return {
      status: exception.status,
      message: exception.message,
      details: exception.details,
      headers: exception.headers(),
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    let message = exception.message;
    let details: unknown[] = [];
    if (typeof response === 'object' && response !== null) {
      const body = response as { message?: unknown; details?: unknown };
      if (Array.isArray(body.message)) details = body.message;
      else if (typeof body.message === 'string') message = body.message;
      if (Array.isArray(body.details)) details = body.details;
    }
    if (status === 404 && message.startsWith('Cannot ')) message = 'Route not found';
    if (status === 429) message = 'Too many requests, try again later';
    return { status, message, details, headers: {} };
  }
  const fastifyError = exception as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (
    typeof fastifyError?.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    const status = fastifyError.statusCode;
    const message =
      fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? 'Request body is too large'
        : typeof fastifyError.message === 'string' && status !== 500
          ? fastifyError.message
          : messageOf(status);
    return { status, message, details: [], headers: {} };
  }
  return { status: 500, message: messageOf(500), details: [], headers: {} };
}

export function toEnvelope(mapped: Mapped, requestId: string | undefined): ErrorEnvelope {
  return {
    error: {
      code: mapped.status,
      message: mapped.message,
      details: mapped.details,
      ...(mapped.status >= 500 && requestId ? { requestId } : {}),
    },
  };
}

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const request = ctx.getRequest<FastifyRequest>();
    const mapped = mapException(exception);
    if (mapped.status >= 500) {
      this.logger.error(
        { err: exception, reqId: request.id, route: request.routeOptions?.url },
        'Request failed',
      );
    }
    for (const [name, value] of Object.entries(mapped.headers)) void reply.header(name, value);
    void reply.status(mapped.status).send(toEnvelope(mapped, request.id));
  }
}
