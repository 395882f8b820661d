import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Gauge, Histogram, Registry } from 'prom-client';
import { RuntimeMetrics } from './runtime-metrics';

/** Label of HTTP requests that matched no route (never the raw URL: it would explode the series). */
export const UNMATCHED_ROUTE = 'unmatched';

/** How a call to Meta failed: our kind of failure, and Meta's error code when it sent one. */
export interface MetaCallFailure {
  kind: string;
  code?: number;
}

/** What a queue reports for each state, e.g. `{ waiting: 3, active: 1, failed: 0 }`. */
export type QueueDepths = Record<string, Record<string, number>>;

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const LAG_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600];

/**
 * The Prometheus metrics of this process, served at `GET /metrics`. Each metric is defined once
 * here and recorded through one method, so other modules never touch prom-client: a new metric is
 * a field and a method beside these. Every instance has its own registry (two applications in one
 * process, as in the tests, never mix their figures).
 */
@Injectable()
export class MetricsService implements OnApplicationShutdown {
  readonly registry = new Registry();
  private readonly runtime = new RuntimeMetrics(this.registry);
  private queueDepthSource?: () => Promise<QueueDepths>;

  private readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly metaDuration = new Histogram({
    name: 'meta_api_request_duration_seconds',
    help: 'Calls to the Meta Graph API (each attempt) by endpoint, outcome (ok or the kind of failure) and Meta error code',
    labelNames: ['endpoint', 'outcome', 'code'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly jobWait = new Histogram({
    name: 'queue_job_wait_seconds',
    help: 'Time from a job being added (or becoming due) to a worker of this process starting it, by queue',
    labelNames: ['queue'],
    buckets: LAG_BUCKETS,
    registers: [this.registry],
  });

  private readonly jobDuration = new Histogram({
    name: 'queue_job_duration_seconds',
    help: 'Time a worker of this process spent on a job, by queue and final status of the attempt',
    labelNames: ['queue', 'status'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly ingestLagSeconds = new Histogram({
    name: 'webhook_ingest_lag_seconds',
    help: 'Time from the Meta timestamp of a webhook event to its message being stored',
    buckets: LAG_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    const source = () => this.queueDepthSource;
    new Gauge({
      name: 'queue_jobs',
      help: 'Jobs in each queue by state (cluster-wide: every instance reports the same figures)',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        const read = source();
        if (!read) return;
        this.reset();
        for (const [queue, states] of Object.entries(await read())) {
          for (const [state, count] of Object.entries(states)) this.set({ queue, state }, count);
        }
      },
    });
  }

  /** One HTTP request answered; `route` is the pattern (`/v1/messages/:conversationId`). */
  httpRequest(method: string, route: string, statusCode: number, durationMs: number): void {
    this.httpDuration.observe(
      { method, route, status_code: String(statusCode) },
      durationMs / 1000,
    );
  }

  /**
   * One HTTP call to Meta. `endpoint` is the method and path pattern (`POST /{id}/messages`),
   * `outcome` is `'ok'` or the failure (a `MetaApiError` fits).
   */
  metaCall(endpoint: string, outcome: 'ok' | MetaCallFailure, durationMs: number): void {
    const labels =
      outcome === 'ok'
        ? { endpoint, outcome: 'ok', code: '' }
        : {
            endpoint,
            outcome: outcome.kind,
            code: outcome.code === undefined ? '' : String(outcome.code),
          };
    this.metaDuration.observe(labels, durationMs / 1000);
  }

  /** One job attempt finished by a worker of this process. */
  jobFinished(
    queue: string,
    status: 'completed' | 'failed',
    timings: { waitMs: number; durationMs: number },
  ): void {
    this.jobWait.observe({ queue }, Math.max(0, timings.waitMs) / 1000);
    this.jobDuration.observe({ queue, status }, Math.max(0, timings.durationMs) / 1000);
  }

  /** Seconds from an event's Meta timestamp to the moment it was stored. */
  ingestLag(seconds: number): void {
    this.ingestLagSeconds.observe(Math.max(0, seconds));
  }

  /** Where the `queue_jobs` gauge reads its figures on each scrape. */
  readQueueDepthsFrom(source: () => Promise<QueueDepths>): void {
    this.queueDepthSource = source;
  }

  /** Ends the runtime metrics' recording between scrapes. */
  onApplicationShutdown(): void {
    this.runtime.stop();
  }

  /** The text exposition format. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
