/** One of prom-client's default collectors: registers its metrics, read on each scrape. */
declare module 'prom-client/lib/metrics/*' {
  import type { Registry } from 'prom-client';

  const collect: (registry: Registry) => void;
  export = collect;
}
