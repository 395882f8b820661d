import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ControlledSimulator, handleControl } from './control-api';
import { createAccount, createUser, listMedia, ownsNode, readNode } from './accounts';
import { listConversations, listMessages } from './conversations';
import { Faults, type FailureRule } from './faults';
import type { GraphContext, Host } from './graph-context';
import {
  GraphError,
  lowerCaseHeaders,
  parseBody,
  readBody,
  sendGraphError,
  sendJson,
  unsupportedRequest,
} from './simulator-http';
import {
  type RecordedRequest,
  type SentMessage,
  type SimAccount,
  SimulatorState,
  type SimUser,
} from './state';
import { sendMessage } from './messaging';
import { subscribedApps } from './subscriptions';
import { authenticate, checkAppSecretProof, expireToken, refreshToken, tokenOf } from './tokens';
import { deliverWebhook, type DeliveryOptions } from './webhook-delivery';

export type { FailureRule } from './faults';
export type { RecordedRequest, SentMessage, SimAccount, SimUser } from './state';

const API_VERSION_PATTERN = /^v\d+\.\d+$/;
/**
 * An in-process stand-in for the Meta Graph API (`graph.facebook.com` under
 * `/graph`, `graph.instagram.com` under `/instagram`) plus a webhook sender,
 * for tests and local development. Everything lives in memory.
 */
export class MetaSimulator implements ControlledSimulator {
  readonly graphApiUrl: string;
  readonly instagramApiUrl: string;
  readonly requests: RecordedRequest[];
  readonly sentMessages: SentMessage[];
  appSecret: string;
  webhookUrl?: string;

  private readonly world: SimulatorState;
  private readonly faults = new Faults();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    options: { appSecret?: string; webhookUrl?: string },
  ) {
    this.world = new SimulatorState(url);
    this.requests = this.world.requests;
    this.sentMessages = this.world.sentMessages;
    this.graphApiUrl = `${url}/graph`;
    this.instagramApiUrl = `${url}/instagram`;
    this.appSecret = options.appSecret ?? randomBytes(16).toString('hex');
    this.webhookUrl = options.webhookUrl;
  }

  static async start(
    options: { port?: number; host?: string; appSecret?: string; webhookUrl?: string } = {},
  ): Promise<MetaSimulator> {
    const server = createServer();
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    const simulator = new MetaSimulator(server, `http://${urlHost}:${port}`, options);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      simulator.handle(req, res).catch(() => {
        sendJson(res, 500, {
          error: { message: 'An unknown error has occurred.', type: 'OAuthException', code: 1 },
        });
      });
    });
    return simulator;
  }

  stop(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.close((error) => (error ? reject(error) : resolve()));
      this.server.closeAllConnections();
    });
  }

  addAccount(input: Partial<SimAccount> = {}): SimAccount {
    return createAccount(this.world, input);
  }

  addUser(input: Partial<SimUser> = {}): SimUser {
    return createUser(this.world, input);
  }

  /** Later calls with this token fail with code 190, subcode 463. */
  expireToken(accessToken: string): void {
    expireToken(this.world, accessToken);
  }

  failNext(rule: FailureRule): void {
    this.faults.failNext(rule);
  }

  setLatency(ms: number): void {
    this.faults.setLatency(ms);
  }

  /** Caps Graph calls per second across the app; extra calls get Meta's code 4 throttling error. */
  setRateLimit(callsPerSecond: number | undefined): void {
    this.faults.setRateLimit(callsPerSecond);
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  reset(): void {
    this.world.clear();
    this.faults.clear();
  }

  /**
   * POSTs a webhook like Meta does, signed with `X-Hub-Signature-256` over the
   * raw body. `signature: null` sends no signature header. Messages in the
   * payload are added to the simulated conversations.
   */
  deliverWebhook(
    payload: unknown,
    options: DeliveryOptions = {},
  ): Promise<{ status: number; body: string }> {
    return deliverWebhook(this.world, payload, options, {
      url: this.webhookUrl,
      secret: this.appSecret,
    });
  }

  /** Snapshot of the simulated world, as served by `GET /_simulator/state`. */
  state(): Record<string, unknown> {
    return {
      ...this.world.snapshot(),
      ...this.faults.snapshot(),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const rawBody = await readBody(req);
    const method = (req.method ?? 'GET').toUpperCase();
    if (url.pathname === '/_simulator' || url.pathname.startsWith('/_simulator/')) {
      await handleControl(this, this.world, method, url, rawBody, res);
      return;
    }
    const match = /^\/(graph|instagram)(\/.*)?$/.exec(url.pathname);
    if (!match) {
      sendJson(res, 404, {
        error: { message: 'Not found. Use /graph, /instagram or /_simulator.' },
      });
      return;
    }
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
    this.world.requests.push({ method, path: url.pathname, query, headers, body, at: new Date() });
    await this.faults.delay();
    try {
      if (parseError) throw parseError;
      const result = this.graph(match[1] as Host, method, url, query, headers, body);
      sendJson(res, 200, result);
    } catch (error) {
      if (!(error instanceof GraphError)) throw error;
      sendGraphError(res, error);
    }
  }

  private graph(
    host: Host,
    method: string,
    url: URL,
    query: Record<string, string>,
    headers: Record<string, string>,
    body: unknown,
  ): unknown {
    this.faults.check(method, url.pathname);
    const segments = url.pathname
      .slice(host.length + 1)
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s));
    if (segments.length > 0 && API_VERSION_PATTERN.test(segments[0])) segments.shift();
    const token = tokenOf(headers, query, body);
    const account = authenticate(this.world, host, token);
    checkAppSecretProof(this.appSecret, token, query, body);
    return this.route({
      world: this.world,
      host,
      method,
      segments,
      fullPath: url.pathname,
      query,
      body,
      account,
    });
  }

  private route(ctx: GraphContext): unknown {
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
      case 'GET messages':
        return listMessages(ctx, node);
      case 'GET conversations':
        if (owned) return listConversations(ctx);
        break;
      case 'GET subscribed_apps':
      case 'POST subscribed_apps':
      case 'DELETE subscribed_apps':
        if (owned) return subscribedApps(ctx);
        break;
    }
    throw unsupportedRequest(method, node);
  }
}
