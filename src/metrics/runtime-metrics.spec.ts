import { PerformanceObserver } from 'node:perf_hooks';
import { Registry } from 'prom-client';
import { RuntimeMetrics } from './runtime-metrics';

const EVENT_LOOP_FIGURES = ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'].map(
  (figure) => `nodejs_eventloop_lag_${figure}_seconds`,
);

describe('RuntimeMetrics', () => {
  let registry: Registry;
  let runtime: RuntimeMetrics;

  beforeEach(() => {
    registry = new Registry();
    runtime = new RuntimeMetrics(registry);
  });

  afterEach(() => {
    runtime.stop();
    jest.restoreAllMocks();
  });

  it("registers prom-client's default runtime metrics under their usual names", () => {
    const names = registry.getMetricsAsArray().map((metric) => metric.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'process_cpu_user_seconds_total',
        'process_start_time_seconds',
        'nodejs_active_handles',
        'nodejs_heap_size_used_bytes',
        'nodejs_heap_space_size_used_bytes',
        'nodejs_version_info',
        'nodejs_gc_duration_seconds',
        'nodejs_eventloop_lag_seconds',
        ...EVENT_LOOP_FIGURES,
      ]),
    );
    expect(new Set(names).size).toBe(names.length);
  });

  it('sets the event-loop lag and the delays sampled since the previous scrape', async () => {
    const busy = setInterval(() => undefined, 5);
    await new Promise((resolve) => setTimeout(resolve, 200));
    clearInterval(busy);
    const metrics = await registry.getMetricsAsJSON();
    const value = (name: string) =>
      metrics.find((metric) => metric.name === name)?.values[0]?.value;
    expect(value('nodejs_eventloop_lag_seconds')).toBeGreaterThan(0);
    expect(value('nodejs_eventloop_lag_max_seconds')).toBeGreaterThan(0);
    expect(value('nodejs_eventloop_lag_p99_seconds')).toBeGreaterThan(0);
  });

  it('stop ends the GC observer', () => {
    const disconnect = jest.spyOn(PerformanceObserver.prototype, 'disconnect');
    runtime.stop();
    expect(disconnect).toHaveBeenCalledTimes(1);
  });
});
