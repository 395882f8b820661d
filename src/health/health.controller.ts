import { Controller, Get, Header, HttpCode, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, MongooseHealthIndicator } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { ApiErrorResponses, Public } from '../common/decorators';

@ApiTags('Health')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly mongoose: MongooseHealthIndicator,
  ) {}

  @Public()
  @Get()
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiOperation({ summary: 'Root endpoint' })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: '`Service running`',
    schema: { type: 'string', example: 'Service running' },
  })
  root(): string {
    return 'Service running';
  }

  @Public()
  @Get('running')
  @ApiOperation({ summary: 'Running status' })
  @ApiOkResponse({
    schema: { type: 'object', properties: { status: { type: 'string', example: 'running' } } },
  })
  running(): { status: string } {
    return { status: 'running' };
  }

  @Public()
  @Get('health-check')
  @HttpCode(200)
  @ApiOperation({ summary: 'Health check: 200 `OK` when the database answers a ping' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: '`OK`', schema: { type: 'string', example: 'OK' } })
  @ApiErrorResponses(503)
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
