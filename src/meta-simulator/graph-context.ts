import { clampLimit, decodeCursor, encodeCursor } from './graph-shapes';
import type { SimAccount, SimulatorState } from './state';

/** `graph`: graph.facebook.com (Facebook Login); `instagram`: graph.instagram.com (Instagram Login). */
export type Host = 'graph' | 'instagram';

/** One authenticated Graph API request, as every route handler receives it. */
export interface GraphContext {
  world: SimulatorState;
  host: Host;
  method: string;
  /** Path below the host prefix and version, split into decoded segments. */
  segments: string[];
  /** Full request path, used for paging links. */
  fullPath: string;
  query: Record<string, string>;
  body: unknown;
  account: SimAccount;
}

/** Cursor paging like the Graph API: `paging.cursors` always, `paging.next` only when more remain. */
export function page(ctx: GraphContext, items: unknown[]): unknown {
  const limit = clampLimit(ctx.query.limit);
  const start = ctx.query.after === undefined ? 0 : decodeCursor(ctx.query.after);
  const data = items.slice(start, start + limit);
  if (data.length === 0) return { data };
  const before = encodeCursor(start);
  const after = encodeCursor(start + data.length);
  const paging: Record<string, unknown> = { cursors: { before, after } };
  if (start + data.length < items.length) {
    const next = new URL(`${ctx.world.url}${ctx.fullPath}`);
    for (const [key, value] of Object.entries(ctx.query)) {
      if (key !== 'access_token' && key !== 'appsecret_proof') next.searchParams.set(key, value);
    }
    next.searchParams.set('after', after);
    paging.next = next.toString();
  }
  return { data, paging };
}
