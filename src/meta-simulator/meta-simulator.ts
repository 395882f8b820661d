import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAccount, createUser } from './accounts';
import { type ControlledSimulator, handleControl } from './control-api';
import { type FailureRule, Faults } from './faults';
import { handleGraphRequest } from './graph-api';
import type { Host } from './graph-context';
import { readBody, sendJson } from './simulator-http';
import {
  type RecordedRequest,
  type SentMessage,
  type SimAccount,
  SimulatorState,
  type SimUser,
} from './state';
import { expireToken } from './tokens';
import { type DeliveryOptions, deliverWebhook } from './webhook-delivery';

export type { FailureRule } from './faults';
export type { RecordedRequest, SentMessage, SimAccount, SimUser } from './state';

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
    await handleGraphRequest(
      { world: this.world, faults: this.faults, appSecret: this.appSecret },
      match[1] as Host,
      method,
      url,
      rawBody,
      req,
      res,
    );
  }
}
