import type { IncomingMessage, ServerResponse } from 'node:http';
import { listMedia, ownsNode, readNode } from './accounts';
import type { Faults } from './faults';
import type { GraphContext, Host } from './graph-context';
import { sendMessage } from './messaging';
import {
  GraphError,
  lowerCaseHeaders,
  parseBody,
  sendGraphError,
  sendJson,
  unsupportedRequest,
} from './simulator-http';
import type { SimulatorState } from './state';
import { subscribedApps } from './subscriptions';
import { authenticate, checkAppSecretProof, refreshToken, tokenOf } from './tokens';

/**
 * The Graph API front door: records the request, applies injected faults,
 * checks the token and `appsecret_proof`, and hands the request to the
 * surface its path names.
 */

const API_VERSION_PATTERN = /^v\d+\.\d+$/;

export interface GraphServer {
  world: SimulatorState;
  faults: Faults;
  appSecret: string;
}

export async function handleGraphRequest(
  server: GraphServer,
  host: Host,
  method: string,
  url: URL,
  rawBody: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const headers = lowerCaseHeaders(req);
  const query = Object.fromEntries(url.searchParams);
  let body: unknown;
  let parseError: GraphError | undefined;
  try {
    body = parseBody(rawBody, headers['content-type']);
  } catch (error) {
    body = rawBody;
    parseError = error instanceof GraphError ? error : undefined;
  }
  server.world.requests.push({ method, path: url.pathname, query, headers, body, at: new Date() });
  await server.faults.delay();
  try {
    if (parseError) throw parseError;
    server.faults.check(method, url.pathname);
    const segments = url.pathname
      .slice(host.length + 1)
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s));
    if (segments.length > 0 && API_VERSION_PATTERN.test(segments[0])) segments.shift();
    const token = tokenOf(headers, query, body);
    const account = authenticate(server.world, host, token);
    checkAppSecretProof(server.appSecret, token, query, body);
    const fullPath = url.pathname;
    sendJson(
      res,
      200,
      route({ world: server.world, host, method, segments, fullPath, query, body, account }),
    );
  } catch (error) {
    if (!(error instanceof GraphError)) throw error;
    sendGraphError(res, error);
  }
}

/** `/{node}` or `/{node}/{edge}` to the surface that serves it. */
function route(ctx: GraphContext): unknown {
  const { method, segments } = ctx;
  const [node, edgeName, ...rest] = segments;
  if (node === undefined || rest.length > 0) throw unsupportedRequest(method, segments.join('/'));
  if (node === 'refresh_access_token' && edgeName === undefined && method === 'GET') {
    return refreshToken(ctx);
  }
  if (edgeName === undefined) {
    if (method !== 'GET') throw unsupportedRequest(method, node);
    return readNode(ctx, node);
  }
  const owned = ownsNode(ctx, node);
  switch (`${method} ${edgeName}`) {
    case 'GET media':
      if (owned) return listMedia(ctx);
      break;
    case 'POST messages':
      if (owned) return sendMessage(ctx);
      break;
    case 'GET subscribed_apps':
    case 'POST subscribed_apps':
    case 'DELETE subscribed_apps':
      if (owned) return subscribedApps(ctx);
      break;
  }
  throw unsupportedRequest(method, node);
}
