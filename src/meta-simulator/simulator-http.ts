import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** Shared plumbing of the Meta simulator: Graph errors as Meta renders them, HTTP bodies and answers, small value helpers. */

export interface GraphErrorBody {
  message: string;
  type?: string;
  code: number;
  error_subcode?: number;
  is_transient?: boolean;
}

/** Thrown by route handlers; rendered as Meta's error envelope. */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly error: GraphErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(error.message);
  }
}

/** A Graph error in Meta's envelope, of type `OAuthException` unless another is named. */
export function graphError(
  status: number,
  code: number,
  message: string,
  extra: { type?: string; subcode?: number; headers?: Record<string, string> } = {},
): GraphError {
  return new GraphError(
    status,
    {
      message,
      type: extra.type ?? 'OAuthException',
      code,
      ...(extra.subcode !== undefined ? { error_subcode: extra.subcode } : {}),
    },
    extra.headers,
  );
}

/** Meta's `(#100)` error for a missing or invalid parameter. */
export function invalidParameter(
  message: string,
  extra: { type?: string; subcode?: number } = {},
): GraphError {
  return graphError(400, 100, `(#100) ${message}`, extra);
}

/** Meta's error for ids that do not exist or the token may not see. */
export function unsupportedRequest(method: string, id: string): GraphError {
  return graphError(
    400,
    100,
    `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
    { type: 'GraphMethodException', subcode: 33 },
  );
}

/** Renders a Graph error as Meta does: a fresh `fbtrace_id`, `WWW-Authenticate` on token errors. */
export function sendGraphError(res: ServerResponse, error: GraphError): void {
  sendJson(
    res,
    error.status,
    { error: { ...error.error, fbtrace_id: randomBytes(8).toString('base64url') } },
    {
      ...(error.error.code === 190
        ? {
            'www-authenticate': `OAuth "Facebook Platform" "invalid_token" "${error.error.message}"`,
          }
        : {}),
      ...error.headers,
    },
  );
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Parses a request body the way the Graph API accepts it: JSON, or a form
 * whose values may themselves be JSON (`recipient={"id":"..."}`).
 */
export function parseBody(raw: string, contentType: string | undefined): unknown {
  if (raw === '') return undefined;
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('application/x-www-form-urlencoded')) {
    const form: Record<string, unknown> = {};
    for (const [key, value] of new URLSearchParams(raw)) form[key] = maybeJson(value);
    return form;
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    if (type.includes('json')) throw invalidParameter('Invalid JSON in the request body');
    return raw;
  }
}

function maybeJson(value: string): unknown {
  if (!/^[[{]/.test(value)) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.writableEnded || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function lowerCaseHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** POSTs a body without keeping the connection alive; resolves with the answer. */
export function postRaw(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: 'POST',
        agent: false,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        readBody(res)
          .then((text) => resolve({ status: res.statusCode ?? 0, body: text }))
          .catch(reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** `value` when it is a string, else undefined. */
export function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Graph API timestamp format: `2024-05-01T12:00:00+0000`. */
export function graphTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '+0000');
}

/** Random decimal id of `length` digits starting with `prefix`. */
export function numericId(prefix: string, length: number): string {
  let id = prefix;
  while (id.length < length) id += String(randomBytes(1)[0] % 10);
  return id;
}

/** 1x1 transparent PNG served for simulated profile pictures and media. */
export const PLACEHOLDER_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
