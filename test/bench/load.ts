import autocannon from 'autocannon';
import type { IncomingHttpHeaders } from 'node:http';

export interface PlannedRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: IncomingHttpHeaders;
  body?: string;
}

/** Per-connection state autocannon hands back with each response (one request in flight). */
export interface ConnectionContext {
  tag?: unknown;
}

export interface LoadOptions {
  baseUrl: string;
  connections: number;
  durationSec: number;
  timeoutSec: number;
  /** Builds the next request of a connection; `context.tag` comes back in `onResponse`. */
  next: (context: ConnectionContext) => PlannedRequest;
  onResponse?: (status: number, context: ConnectionContext) => void;
}

export interface LoadResult {
  /** Responses with a 2xx status. */
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationSec: number;
  /** 2xx responses per second. */
  rps: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  statusCodes: Record<string, number>;
}

/** One request outside the load generator; resolves with the status (0 when it failed). */
export async function sendOnce(
  baseUrl: string,
  request: PlannedRequest,
  timeoutSec: number,
): Promise<number> {
  try {
    const response = await fetch(`${baseUrl}${request.path}`, {
      method: request.method,
      headers: {
        ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(request.headers as Record<string, string>),
      },
      body: request.body,
      signal: AbortSignal.timeout(timeoutSec * 1000),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/** One load run: counts, and the latency of every response (ms). */
export interface LoadSample {
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationSec: number;
  statusCodes: Record<string, number>;
  latencies: number[];
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Merges runs of one system (e.g. both halves of an interleaved measurement). */
export function summarize(samples: LoadSample[]): LoadResult {
  const latencies = samples.flatMap((sample) => sample.latencies).sort((a, b) => a - b);
  const statusCodes: Record<string, number> = {};
  for (const sample of samples) {
    for (const [code, count] of Object.entries(sample.statusCodes)) {
      statusCodes[code] = (statusCodes[code] ?? 0) + count;
    }
  }
  const sum = (field: 'ok' | 'non2xx' | 'errors' | 'timeouts' | 'durationSec') =>
    samples.reduce((total, sample) => total + sample[field], 0);
  const durationSec = sum('durationSec');
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    ok: sum('ok'),
    non2xx: sum('non2xx'),
    errors: sum('errors'),
    timeouts: sum('timeouts'),
    durationSec,
    rps: durationSec > 0 ? sum('ok') / durationSec : 0,
    latencyMs: {
      p50: round(percentile(latencies, 0.5)),
      p90: round(percentile(latencies, 0.9)),
      p99: round(percentile(latencies, 0.99)),
      max: round(latencies[latencies.length - 1] ?? 0),
      mean: round(
        latencies.length > 0 ? latencies.reduce((a, b) => a + b, 0) / latencies.length : 0,
      ),
    },
    statusCodes,
  };
}

/** Closed-loop load without pipelining: each connection sends its next request on a response. */
export function runLoad(options: LoadOptions): Promise<LoadSample> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.baseUrl,
        connections: options.connections,
        duration: options.durationSec,
        timeout: options.timeoutSec,
        pipelining: 1,
        initialContext: {},
        requests: [
          {
            setupRequest: (_request, context) => {
              const planned = options.next(context);
              return {
                method: planned.method,
                path: planned.path,
                headers: {
                  ...(planned.body !== undefined ? { 'content-type': 'application/json' } : {}),
                  ...planned.headers,
                },
                body: planned.body,
              };
            },
            ...(options.onResponse
              ? {
                  onResponse: (status: number, _body: string, context: object) =>
                    options.onResponse?.(status, context),
                }
              : {}),
          },
        ],
      },
      (error: unknown, result: autocannon.Result) => {
        if (error) {
          reject(error instanceof Error ? error : new Error('The load generator failed'));
          return;
        }
        const statusCodes: Record<string, number> = {};
        for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) {
          statusCodes[code] = stats.count ?? 0;
        }
        resolve({
          ok: result['2xx'],
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          durationSec: result.duration,
          statusCodes,
          latencies,
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
    });
  });
}

/**
 * The same load spread evenly over several servers of one system (instances behind a load
 * balancer): `connections` in all, each server getting its share, all running at once.
 */
export async function runLoadAcross(
  baseUrls: string[],
  options: Omit<LoadOptions, 'baseUrl'>,
): Promise<LoadSample> {
  const share = (i: number) =>
    Math.floor(options.connections / baseUrls.length) +
    (i < options.connections % baseUrls.length ? 1 : 0);
  const samples = await Promise.all(
    baseUrls.map((baseUrl, i) =>
      runLoad({ ...options, baseUrl, connections: Math.max(1, share(i)) }),
    ),
  );
  const statusCodes: Record<string, number> = {};
  for (const sample of samples) {
    for (const [code, count] of Object.entries(sample.statusCodes)) {
      statusCodes[code] = (statusCodes[code] ?? 0) + count;
    }
  }
  const sum = (field: 'ok' | 'non2xx' | 'errors' | 'timeouts') =>
    samples.reduce((total, sample) => total + sample[field], 0);
  return {
    ok: sum('ok'),
    non2xx: sum('non2xx'),
    errors: sum('errors'),
    timeouts: sum('timeouts'),
    durationSec: Math.max(...samples.map((sample) => sample.durationSec)),
    statusCodes,
    latencies: samples.flatMap((sample) => sample.latencies),
  };
}
