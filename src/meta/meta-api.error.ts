import { DomainError } from '../common/errors';
import { isRecord } from '../common/utils/is-record';

export type MetaApiErrorKind =
  | 'token_invalid'
  | 'rate_limited'
  | 'transient'
  | 'outside_window'
  | 'recipient_unavailable'
  | 'invalid_parameter'
  | 'permission'
  | 'timeout'
  | 'unknown';

export interface MetaApiErrorFields {
  kind: MetaApiErrorKind;
  message: string;
  code?: number;
  subcode?: number;
  type?: string;
  fbtraceId?: string;
  /** HTTP status Meta answered with (absent when no response arrived). */
  httpStatus?: number;
  retryable: boolean;
  /** How long Meta asks us to wait before calling again. */
  retryAfterMs?: number;
}

/**
 * HTTP status our own API answers with for each kind of Meta failure: 429 and
 * 422 for refusals the caller can act on, 424 for every other failure caused by
 * Meta (its 5xx, no answer in time, an error we do not know). 5xx stays
 * reserved for our own faults.
 */
const STATUS_BY_KIND: Record<MetaApiErrorKind, number> = {
  token_invalid: 424,
  rate_limited: 429,
  transient: 424,
  timeout: 424,
  outside_window: 422,
  recipient_unavailable: 422,
  invalid_parameter: 422,
  permission: 424,
  unknown: 424,
};

/** Retry-After (seconds) advertised for a rate limit Meta gave no estimate for. */
const DEFAULT_RATE_LIMIT_RETRY_AFTER_SECONDS = 60;

/**
 * A failed call to the Meta Graph API. Carries Meta's error code, subcode and
 * trace id for support, never the access token or a URL containing it.
 */
export class MetaApiError extends DomainError {
  readonly status: number;
  readonly kind: MetaApiErrorKind;
  readonly code?: number;
  readonly subcode?: number;
  readonly type?: string;
  readonly fbtraceId?: string;
  readonly httpStatus?: number;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;

  constructor(fields: MetaApiErrorFields) {
    const details: Record<string, unknown> = { reason: fields.kind, retryable: fields.retryable };
    if (fields.code !== undefined) details.metaCode = fields.code;
    if (fields.subcode !== undefined) details.metaSubcode = fields.subcode;
    if (fields.httpStatus !== undefined) details.metaHttpStatus = fields.httpStatus;
    if (fields.fbtraceId !== undefined) details.fbtraceId = fields.fbtraceId;
    super(fields.message, [details]);
    this.status = STATUS_BY_KIND[fields.kind];
    this.kind = fields.kind;
    this.code = fields.code;
    this.subcode = fields.subcode;
    this.type = fields.type;
    this.fbtraceId = fields.fbtraceId;
    this.httpStatus = fields.httpStatus;
    this.retryable = fields.retryable;
    this.retryAfterMs = fields.retryAfterMs;
  }

  /** Retry-After for a rate limit (a default when Meta gave no estimate), or when Meta named a wait. */
  override headers(): Record<string, string> {
    if (this.retryAfterMs !== undefined) {
      return { 'Retry-After': String(Math.max(1, Math.ceil(this.retryAfterMs / 1000))) };
    }
    if (this.kind !== 'rate_limited') return {};
    return { 'Retry-After': String(DEFAULT_RATE_LIMIT_RETRY_AFTER_SECONDS) };
  }
}

/** What is known about one failed Graph API call. */
export interface MetaErrorInput {
  /** HTTP status of Meta's response; absent when no response arrived. */
  httpStatus?: number;
  /** Parsed response body, normally `{ error: { message, type, code, error_subcode, fbtrace_id } }`. */
  body?: unknown;
  /** Response headers (any case). */
  headers?: Record<string, unknown>;
  /** The call was a Send API call (message, sender action, reaction). */
  isSend?: boolean;
  /** No response arrived: the request timed out or the connection failed. */
  noResponse?: 'timeout' | 'network';
}

const RATE_LIMIT_CODES = new Set([4, 17, 32, 613, 80002]);
const TRANSIENT_CODES = new Set([1, 2]);
const OUTSIDE_WINDOW_SUBCODE = 2018278;

interface GraphErrorBody {
  message?: string;
  type?: string;
  code?: number;
  subcode?: number;
  fbtraceId?: string;
  isTransient?: boolean;
}

/** Maps a failed Graph API call to a {@link MetaApiError}. Pure. */
export function toMetaApiError(input: MetaErrorInput): MetaApiError {
  if (input.noResponse) {
    return new MetaApiError({
      kind: 'timeout',
      message:
        input.noResponse === 'timeout'
          ? 'Meta API did not answer in time'
          : 'Meta API could not be reached',
      retryable: true,
    });
  }

  const graph = readGraphError(input.body);
  const status = input.httpStatus;
  const base = {
    code: graph.code,
    subcode: graph.subcode,
    type: graph.type,
    fbtraceId: graph.fbtraceId,
    httpStatus: status,
  };
  const message = graph.message ?? `Meta API answered with HTTP ${status ?? 'error'}`;
  const code = graph.code;
  const retryAfterMs = retryAfterMsFromHeaders(input.headers ?? {});

  if (code === 190)
    return new MetaApiError({ ...base, kind: 'token_invalid', message, retryable: false });
  if (graph.subcode === OUTSIDE_WINDOW_SUBCODE || (code === 10 && input.isSend)) {
    return new MetaApiError({ ...base, kind: 'outside_window', message, retryable: false });
  }
  if (code === 551) {
    return new MetaApiError({ ...base, kind: 'recipient_unavailable', message, retryable: false });
  }
  if ((code !== undefined && RATE_LIMIT_CODES.has(code)) || status === 429) {
    return new MetaApiError({
      ...base,
      kind: 'rate_limited',
      message,
      retryable: true,
      retryAfterMs,
    });
  }
  if (
    (code !== undefined && TRANSIENT_CODES.has(code)) ||
    (status !== undefined && status >= 500)
  ) {
    return new MetaApiError({ ...base, kind: 'transient', message, retryable: true, retryAfterMs });
  }
  if (code === 100) {
    return new MetaApiError({ ...base, kind: 'invalid_parameter', message, retryable: false });
  }
  if (code === 10 || (code !== undefined && code >= 200 && code <= 299)) {
    return new MetaApiError({ ...base, kind: 'permission', message, retryable: false });
  }
  if (graph.isTransient) {
    return new MetaApiError({ ...base, kind: 'transient', message, retryable: true, retryAfterMs });
  }
  return new MetaApiError({ ...base, kind: 'unknown', message, retryable: false });
}

function readGraphError(body: unknown): GraphErrorBody {
  if (!isRecord(body) || !isRecord(body.error)) return {};
  const error = body.error;
  return {
    message: typeof error.message === 'string' ? error.message : undefined,
    type: typeof error.type === 'string' ? error.type : undefined,
    code: toInt(error.code),
    subcode: toInt(error.error_subcode),
    fbtraceId: typeof error.fbtrace_id === 'string' ? error.fbtrace_id : undefined,
    isTransient: error.is_transient === true,
  };
}

/**
 * The longest wait Meta asks for: `estimated_time_to_regain_access` (minutes)
 * anywhere in the usage headers, or a standard `Retry-After`.
 */
export function retryAfterMsFromHeaders(headers: Record<string, unknown>): number | undefined {
  const lower = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') lower.set(name.toLowerCase(), value);
    else if (typeof value === 'number') lower.set(name.toLowerCase(), String(value));
  }
  const candidates: number[] = [];
  for (const name of ['x-business-use-case-usage', 'x-app-usage']) {
    const raw = lower.get(name);
    if (raw === undefined) continue;
    try {
      for (const minutes of collectRegainTimes(JSON.parse(raw))) candidates.push(minutes * 60_000);
    } catch {
      continue;
    }
  }
  const retryAfter = lower.get('retry-after');
  if (retryAfter !== undefined) {
    const ms = parseRetryAfter(retryAfter);
    if (ms !== undefined) candidates.push(ms);
  }
  const positive = candidates.filter((ms) => ms > 0);
  return positive.length > 0 ? Math.max(...positive) : undefined;
}

function collectRegainTimes(value: unknown): number[] {
  if (Array.isArray(value)) return value.flatMap(collectRegainTimes);
  if (!isRecord(value)) return [];
  return Object.entries(value).flatMap(([key, inner]) => {
    if (key === 'estimated_time_to_regain_access') {
      const minutes = Number(inner);
      return Number.isFinite(minutes) ? [minutes] : [];
    }
    return collectRegainTimes(inner);
  });
}

/** Retry-After in seconds (the only form Meta and its proxies send). */
function parseRetryAfter(value: string): number | undefined {
  const seconds = Number(value);
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

function toInt(value: unknown): number | undefined {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
}
