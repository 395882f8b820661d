import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAccount, createUser, listMedia, ownsNode, readNode } from './accounts';
import { listConversations, listMessages } from './conversations';
import { Faults, type FailureRule } from './faults';
import type { GraphContext, Host } from './graph-context';
import {
  GraphError,
  isRecord,
  lowerCaseHeaders,
  parseBody,
  PLACEHOLDER_PNG,
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
import { inboundMessage, webhookBatch, type WebhookMessagingEvent } from './webhook-events';

export type { FailureRule } from './faults';
export type { RecordedRequest, SentMessage, SimAccount, SimUser } from './state';

const API_VERSION_PATTERN = /^v\d+\.\d+$/;
/**
 * An in-process stand-in for the Meta Graph API (`graph.facebook.com` under
 * `/graph`, `graph.instagram.com` under `/instagram`) plus a webhook sender,
 * for tests and local development. Everything lives in memory.
 */
export class MetaSimulator {
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
      await this.handleControl(method, url, rawBody, req, res);
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

  private async handleControl(
    method: string,
    url: URL,
    rawBody: string,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const route = `${method} ${url.pathname.replace(/\/+$/, '')}`;
    if (method === 'GET' && url.pathname.startsWith('/_simulator/assets/')) {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': PLACEHOLDER_PNG.length });
      res.end(PLACEHOLDER_PNG);
      return;
    }
    let body: Record<string, unknown>;
    try {
      const parsed = rawBody === '' ? {} : (JSON.parse(rawBody) as unknown);
      if (!isRecord(parsed)) throw new Error('not an object');
      body = parsed;
    } catch {
      sendJson(res, 400, { error: { message: 'Body must be a JSON object' } });
      return;
    }
    switch (route) {
      case 'GET /_simulator':
      case 'GET /_simulator/state':
        sendJson(res, 200, this.state());
        return;
      case 'POST /_simulator/accounts':
        sendJson(res, 201, this.addAccount(body));
        return;
      case 'POST /_simulator/users':
        sendJson(res, 201, this.addUser(body));
        return;
      case 'POST /_simulator/inbound-message':
        await this.controlInboundMessage(body, res);
        return;
      case 'POST /_simulator/expire-token':
        if (typeof body.accessToken !== 'string') {
          sendJson(res, 400, { error: { message: 'accessToken is required' } });
          return;
        }
        this.expireToken(body.accessToken);
        sendJson(res, 200, { success: true });
        return;
      case 'POST /_simulator/fail-next':
        if (typeof body.status !== 'number' || !isRecord(body.error)) {
          sendJson(res, 400, { error: { message: 'status and error are required' } });
          return;
        }
        this.failNext({ ...(body as unknown as FailureRule), times: timesOf(body.times) });
        sendJson(res, 200, { success: true });
        return;
      case 'POST /_simulator/latency':
        this.setLatency(numberOr(body.ms, 0));
        sendJson(res, 200, { success: true });
        return;
      case 'POST /_simulator/rate-limit':
        this.setRateLimit(
          typeof body.callsPerSecond === 'number' ? body.callsPerSecond : undefined,
        );
        sendJson(res, 200, { success: true });
        return;
      case 'POST /_simulator/reset':
        this.reset();
        sendJson(res, 200, { success: true });
        return;
    }
    sendJson(res, 404, {
      error: { message: `No simulator control route ${req.method ?? ''} ${url.pathname}` },
    });
  }

  private async controlInboundMessage(
    body: Record<string, unknown>,
    res: ServerResponse,
  ): Promise<void> {
    const accountId =
      typeof body.instagramBusinessId === 'string' ? body.instagramBusinessId : undefined;
    if (!accountId || !this.world.accounts.has(accountId)) {
      sendJson(res, 404, {
        error: { message: 'instagramBusinessId must name a simulated account' },
      });
      return;
    }
    const target = typeof body.url === 'string' ? body.url : this.webhookUrl;
    if (!target) {
      sendJson(res, 400, {
        error: { message: 'No webhook URL: pass url or start the simulator with one' },
      });
      return;
    }
    const from = typeof body.from === 'string' && body.from !== '' ? body.from : undefined;
    const user = from
      ? (this.world.users.get(from) ?? this.addUser({ igsid: from }))
      : this.addUser();
    const attachments = Array.isArray(body.attachments)
      ? body.attachments.filter(isRecord).map((a) => ({
          type: typeof a.type === 'string' ? a.type : 'image',
          url: typeof a.url === 'string' ? a.url : undefined,
        }))
      : undefined;
    const event: WebhookMessagingEvent = inboundMessage({
      account: accountId,
      from: user.igsid,
      text: typeof body.text === 'string' ? body.text : undefined,
      attachments,
    });
    const payload = webhookBatch([{ id: accountId, messaging: [event] }]);
    try {
      const delivered = await this.deliverWebhook(payload, { url: target });
      sendJson(res, 200, { delivered, payload });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      sendJson(res, 502, {
        error: { message: `Webhook delivery to ${target} failed: ${reason}` },
        payload,
      });
    }
  }
}

/** `times` of a failure rule sent as JSON, where `"always"` stands for Infinity. */
function timesOf(value: unknown): number {
  if (value === 'always' || value === 'Infinity') return Infinity;
  return numberOr(value, 1);
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && !Number.isNaN(value) ? value : fallback;
}
