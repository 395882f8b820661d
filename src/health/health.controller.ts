import { Controller, Get, Header, HttpCode, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { PublicRoute } from '../common/decorators';
import type { ErrorEnvelope } from '../common/filters/all-exceptions.filter';
import { HealthChecks, type ComponentName } from './health-checks';

const UNAVAILABLE: Record<ComponentName, string> = {
  database: 'Database unavailable',
  redis: 'Redis unavailable',
  workers: 'Queue workers not running',
};

@ApiTags('Health')
@Controller()
export class HealthController {
  constructor(private readonly checks: HealthChecks) {}

  @PublicRoute({ summary: 'Root endpoint' })
  @Get()
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: '`Service running`',
    schema: { type: 'string', example: 'Service running' },
  })
  root(): string {
    return 'Service running';
  }

  @PublicRoute({ summary: 'Running status' })
  @Get('running')
  @ApiOkResponse({
    schema: { type: 'object', properties: { status: { type: 'string', example: 'running' } } },
  })
  running(): { status: string } {
    return { status: 'running' };
  }

  @PublicRoute({
    summary: 'Health check: 200 `OK` when everything this process depends on answers',
    description:
      'Checks, each within 1.5 s: the database answers a ping; Redis answers a ping; and in a ' +
      'process that runs background work (`PROCESS_ROLE` `all` or `worker`), the worker of ' +
      'every queue is running. Every role serves this route (a `worker` process serves only ' +
      'the health routes and `/metrics`). 503 names each component with its status in ' +
      '`details` (`{ component, status: "up" | "down" }`; for `workers`, the `stopped` queues).',
    errors: [{ status: 503, description: 'A component is down (each one listed in `details`)' }],
  })
  @Get('health-check')
  @HttpCode(200)
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: '`OK`', schema: { type: 'string', example: 'OK' } })
  async check(@Res() reply: FastifyReply): Promise<void> {
    const components = await this.checks.run();
    const down = components.filter((component) => component.status === 'down');
    if (down.length === 0) {
      await reply.status(200).type('text/plain; charset=utf-8').send('OK');
      return;
    }
    const body: ErrorEnvelope = {
      error: {
        code: 503,
        message: down.map((component) => UNAVAILABLE[component.component]).join('; '),
        details: components,
      },
    };
    await reply.status(503).header('Cache-Control', 'no-store').send(body);
  }
}
