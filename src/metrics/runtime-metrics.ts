import {
  constants,
  monitorEventLoopDelay,
  PerformanceObserver,
  type IntervalHistogram,
  type NodeGCPerformanceDetail,
  type PerformanceEntry,
} from 'node:perf_hooks';
import { Gauge, Histogram, type Registry } from 'prom-client';
import heapSizeAndUsed from 'prom-client/lib/metrics/heapSizeAndUsed';
import heapSpacesSizeAndUsed from 'prom-client/lib/metrics/heapSpacesSizeAndUsed';
import osMemoryHeap from 'prom-client/lib/metrics/osMemoryHeap';
import processCpuTotal from 'prom-client/lib/metrics/processCpuTotal';
import processHandles from 'prom-client/lib/metrics/processHandles';
import processMaxFileDescriptors from 'prom-client/lib/metrics/processMaxFileDescriptors';
import processOpenFileDescriptors from 'prom-client/lib/metrics/processOpenFileDescriptors';
import processRequests from 'prom-client/lib/metrics/processRequests';
import processResources from 'prom-client/lib/metrics/processResources';
import processStartTime from 'prom-client/lib/metrics/processStartTime';
import version from 'prom-client/lib/metrics/version';

/** prom-client's default collectors that only read the process when scraped. */
const SCRAPE_TIME_COLLECTORS = [
  processCpuTotal,
  processStartTime,
  osMemoryHeap,
  processOpenFileDescriptors,
  processMaxFileDescriptors,
  processResources,
  processHandles,
  processRequests,
  heapSizeAndUsed,
  heapSpacesSizeAndUsed,
  version,
];

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};
const GC_BUCKETS = [0.001, 0.01, 0.1, 1, 2, 5];
/** Sampling period of the event-loop delay histogram, in ms. */
const EVENT_LOOP_RESOLUTION_MS = 10;

/**
 * The Node.js runtime metrics of prom-client's `collectDefaultMetrics`, with the same names.
 * The two that record between scrapes (a GC observer and an event-loop delay monitor) are
 * created here so that {@link stop} can end them: `collectDefaultMetrics` leaves them running
 * for the life of the process, holding on to everything the closed application referenced.
 */
export class RuntimeMetrics {
  private readonly gcObserver: PerformanceObserver;
  private readonly eventLoopDelay: IntervalHistogram;

  constructor(registry: Registry) {
    for (const collect of SCRAPE_TIME_COLLECTORS) collect(registry);
    this.gcObserver = this.observeGc(registry);
    this.eventLoopDelay = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
    this.eventLoopDelay.enable();
    this.reportEventLoop(registry);
  }

  stop(): void {
    this.gcObserver.disconnect();
    this.eventLoopDelay.disable();
  }

  private observeGc(registry: Registry): PerformanceObserver {
    const duration = new Histogram({
      name: 'nodejs_gc_duration_seconds',
      help: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
      labelNames: ['kind'],
      buckets: GC_BUCKETS,
      registers: [registry],
    });
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const { detail } = entry as PerformanceEntry & { detail?: NodeGCPerformanceDetail };
        const kind = detail === undefined ? undefined : GC_KINDS[detail.kind];
        duration.observe(kind === undefined ? {} : { kind }, entry.duration / 1000);
      }
    });
    observer.observe({ entryTypes: ['gc'] });
    return observer;
  }

  private reportEventLoop(registry: Registry): void {
    const delay = () => this.eventLoopDelay;
    const figures: { gauge: Gauge; read: (histogram: IntervalHistogram) => number }[] = [];
    new Gauge({
      name: 'nodejs_eventloop_lag_seconds',
      help: 'Lag of event loop in seconds.',
      aggregator: 'average',
      registers: [registry],
      // One scrape sets every event-loop figure: the delays sampled since the previous scrape
      // (before the other gauges are read), then the lag until a callback queued now runs.
      async collect() {
        const histogram = delay();
        for (const { gauge, read } of figures) gauge.set(read(histogram) / 1e9);
        histogram.reset();
        const start = process.hrtime.bigint();
        await new Promise<void>((resolve) => setImmediate(resolve));
        this.set(Number(process.hrtime.bigint() - start) / 1e9);
      },
    });
    const figure = (
      name: string,
      help: string,
      aggregator: 'average' | 'min' | 'max',
      read: (histogram: IntervalHistogram) => number,
    ) => {
      const gauge = new Gauge({
        name: `nodejs_eventloop_lag_${name}_seconds`,
        help,
        aggregator,
        registers: [registry],
      });
      figures.push({ gauge, read });
    };
    figure('min', 'The minimum recorded event loop delay.', 'min', (h) => h.min);
    figure('max', 'The maximum recorded event loop delay.', 'max', (h) => h.max);
    figure('mean', 'The mean of the recorded event loop delays.', 'average', (h) => h.mean);
    figure(
      'stddev',
      'The standard deviation of the recorded event loop delays.',
      'average',
      (h) => h.stddev,
    );
    for (const percentile of [50, 90, 99]) {
      figure(
        `p${percentile}`,
        `The ${percentile}th percentile of the recorded event loop delays.`,
        'average',
        (h) => h.percentile(percentile),
      );
    }
  }
}
