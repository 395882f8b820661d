import { Controller, Get, Header, HttpCode, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, MongooseHealthIndicator } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { PublicRoute } from '../common/decorators';

@ApiTags('Health')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly mongoose: MongooseHealthIndicator,
  ) {}

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
    summary: 'Health check: 200 `OK` when the database answers a ping',
    errors: [503],
  })
  @Get('health-check')
  @HttpCode(200)
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: '`OK`', schema: { type: 'string', example: 'OK' } })
  async check(@Res() reply: FastifyReply): Promise<void> {
    try {
      await this.health.check([() => this.mongoose.pingCheck('database', { timeout: 1500 })]);
      await reply.status(200).type('text/plain; charset=utf-8').send('OK');
    } catch {
      await reply.status(503).send({
        error: {
          code: 503,
          message: 'Database unavailable',
          details: [{ component: 'database', status: 'down' }],
        },
      });
    }
  }
}
