import { Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Route, type AuthUser } from '../common/decorators';
import type { QueueName } from '../queue/queue-names';
import {
  DASHBOARD_COOKIE,
  DASHBOARD_PATH,
  DASHBOARD_SESSION_SECONDS,
  DashboardSessions,
} from './dashboard/dashboard-sessions';
import { DEFAULT_FAILED_JOBS, FailedJobsQueryDto } from './dto/failed-jobs-query.dto';
import {
  DashboardSessionDto,
  FailedJobListDto,
  QueueCountsListDto,
  RetriedJobDto,
} from './dto/queue-admin-response.dto';
import { toFailedJobList, toQueueCountsList, toRetriedJob } from './queue-admin.mapper';
import { QUEUE_NAMES, QueueAdminService } from './queue-admin.service';
import { ParseQueueNamePipe } from './queue-name.pipe';

const QUEUE_PARAM = ApiParam({
  name: 'queue',
  enum: QUEUE_NAMES,
  description: 'Queue name (404 for any other)',
});

@ApiTags('Queues')
@Controller('v1/admin/queues')
export class QueueAdminController {
  constructor(
    private readonly queues: QueueAdminService,
    private readonly sessions: DashboardSessions,
  ) {}

  @Route({
    permission: 'manage-queues',
    summary: 'Jobs in every queue, by state',
    description:
      'The same figures for every instance: BullMQ keeps its queues in Redis. ' +
      '`GET /v1/webhook/inbox` shows the webhook inbox entries themselves.',
  })
  @Get()
  @ApiOkResponse({ type: QueueCountsListDto })
  async counts(): Promise<QueueCountsListDto> {
    return toQueueCountsList(await this.queues.counts());
  }

  @Route({
    permission: 'manage-queues',
    summary: 'Open a queue dashboard session in this browser',
    description:
      `Sets an HttpOnly, SameSite=Strict cookie \`${DASHBOARD_COOKIE}\` for ` +
      `\`${DASHBOARD_PATH}\` (Secure when the API is served over https), valid ` +
      `${DASHBOARD_SESSION_SECONDS / 60} minutes; then open \`${DASHBOARD_PATH}\` in the ` +
      'same browser. Call it from this origin (e.g. Swagger UI at `/docs` after ' +
      '*Authorize*). Every dashboard request checks the cookie and that its user is still an ' +
      'enabled admin; without it the dashboard answers 401.',
  })
  @Post('session')
  @HttpCode(201)
  @ApiCreatedResponse({ type: DashboardSessionDto })
  openSession(
    @CurrentUser() user: AuthUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): DashboardSessionDto {
    const session = this.sessions.issue(user);
    void reply.header('Set-Cookie', session.cookie);
    void reply.header('Cache-Control', 'no-store');
    return { url: DASHBOARD_PATH, expiresAt: session.expiresAt.toISOString() };
  }

  @Route({
    permission: 'manage-queues',
    summary: 'End the queue dashboard session in this browser (clears its cookie)',
  })
  @Delete('session')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Cookie cleared' })
  closeSession(@Res({ passthrough: true }) reply: FastifyReply): void {
    void reply.header('Set-Cookie', this.sessions.clear());
  }

  @Route({
    permission: 'manage-queues',
    summary: 'The most recent failed jobs of a queue, with the reason of their last failure',
    errors: [400, 404],
  })
  @Get(':queue/failed')
  @QUEUE_PARAM
  @ApiOkResponse({ type: FailedJobListDto })
  async failed(
    @Param('queue', ParseQueueNamePipe) queue: QueueName,
    @Query() query: FailedJobsQueryDto,
  ): Promise<FailedJobListDto> {
    const jobs = await this.queues.failedJobs(queue, query.limit ?? DEFAULT_FAILED_JOBS);
    return toFailedJobList(queue, jobs);
  }

  @Route({
    permission: 'manage-queues',
    summary: 'Retry a failed job (its attempts start again from zero)',
    errors: [
      { status: 404, description: 'No such queue, or no such job in it' },
      { status: 409, description: 'The job is not failed (its state is in `details`)' },
    ],
  })
  @Post(':queue/jobs/:jobId/retry')
  @HttpCode(200)
  @QUEUE_PARAM
  @ApiParam({
    name: 'jobId',
    description: 'Job id, as listed by `GET /v1/admin/queues/{queue}/failed`',
  })
  @ApiOkResponse({ type: RetriedJobDto })
  async retry(
    @Param('queue', ParseQueueNamePipe) queue: QueueName,
    @Param('jobId') jobId: string,
  ): Promise<RetriedJobDto> {
    return toRetriedJob(await this.queues.retry(queue, jobId));
  }
}
