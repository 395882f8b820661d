import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../../audit-logs/audit-logs.service';
import type { AuthUser } from './current-user.decorator';

/** Caller id, IP and user agent, for audit entries. */
export const ReqContext = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): RequestContext => {
    const request = ctx.switchToHttp().getRequest<FastifyRequest & { user?: AuthUser }>();
    const agent = request.headers['user-agent'];
    return {
      userId: request.user?.id,
      ip: request.ip,
      userAgent: typeof agent === 'string' ? agent : undefined,
    };
  },
);
