import { randomBytes } from 'node:crypto';
import { MongoClient, ObjectId, type Db } from 'mongodb';
import { loadEmbeddedDatabaseSettings } from '../../src/config/database.config';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/database/embedded-database';
import { MetaSimulator, signWebhookBody, type SimAccount } from '../../src/meta-simulator';
import { TcpProxy } from '../utils/tcp-proxy';
import { ApiProcesses } from './api-processes';
import { ClusterRedis } from './cluster-redis';

/** A client gives up on a request after this long (a hang counts as no answer). */
const REQUEST_TIMEOUT_MS = 15_000;

export interface ClusterOptions {
  /** How many API processes (three by default). */
  instances?: number;
  /** Extra environment of every API process. */
  env?: Record<string, string>;
}

export interface HttpAnswer {
  status: number;
  /** The parsed JSON body, or the text when it is not JSON. */
  body: unknown;
  headers: Headers;
  /** The instance that answered. */
  instance: number;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** A bearer token. */
  token?: string;
  headers?: Record<string, string>;
  /** The client address the load balancer reports (X-Forwarded-For); a fresh one by default. */
  clientIp?: string;
}

export interface ClusterUser {
  id: string;
  email: string;
  password: string;
  token: string;
}

export interface ClusterInbox {
  user: ClusterUser;
  /** Our account id. */
  accountId: string;
  /** The account's Instagram id: the recipient of inbound webhook events. */
  igId: string;
  sim: SimAccount;
}

let addressSequence = 0;

/** A distinct client address per call, so helper requests never share a throttling bucket. */
function freshClientIp(): string {
  addressSequence += 1;
  return `10.${(addressSequence >> 16) & 255}.${(addressSequence >> 8) & 255}.${addressSequence & 255}`;
}

/**
 * One deployment of the product as it runs in production, on this machine: one embedded
 * database (behind a TCP proxy that can cut it off), one Redis (restartable), the Meta
 * simulator and several API processes (`node dist/main.js`, `PROCESS_ROLE=all`), each on its
 * own port, sharing the database, the Redis and its key prefix, as instances behind a load
 * balancer do (`TRUST_PROXY`: the client address comes from `X-Forwarded-For`).
 */
interface Services {
  database: EmbeddedDatabase;
  /** In front of the database: the API processes connect through it. */
  proxy: TcpProxy;
  redis: ClusterRedis;
  simulator: MetaSimulator;
  /** Straight to the database, for the test's own reads. */
  client: MongoClient;
}

async function startServices(appSecret: string): Promise<Services> {
  const log = (message: string) => process.stdout.write(`${message}\n`);
  const database = await startEmbeddedDatabase(loadEmbeddedDatabaseSettings(), {
    persistent: false,
    log,
  });
  const target = new URL(database.uri);
  const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port) });
  const redis = await ClusterRedis.start();
  const simulator = await MetaSimulator.start({ appSecret });
  const client = new MongoClient(database.uri);
  await client.connect();
  return { database, proxy, redis, simulator, client };
}

async function stopServices(services: Services, databaseName: string): Promise<void> {
  await services.client
    .db(databaseName)
    .dropDatabase()
    .catch(() => undefined);
  await services.client.close();
  await services.proxy.stop();
  await Promise.all([services.simulator.stop(), services.redis.stop(), services.database.stop()]);
}

export class Cluster {
  /** The database, read directly (not through the proxy the API processes use). */
  readonly db: Db;
  readonly redis: ClusterRedis;
  readonly simulator: MetaSimulator;
  private nextInstance = 0;

  private constructor(
    private readonly services: Services,
    /** The API processes: `apis.kill(i)` and `apis.restart(i)` take one down and bring it back. */
    readonly apis: ApiProcesses,
    readonly appSecret: string,
    readonly databaseName: string,
  ) {
    this.db = services.client.db(databaseName);
    this.redis = services.redis;
    this.simulator = services.simulator;
  }

  static async start(options: ClusterOptions = {}): Promise<Cluster> {
    const appSecret = randomBytes(16).toString('hex');
    const databaseName = `cluster_${randomBytes(4).toString('hex')}`;
    const services = await startServices(appSecret);
    const secret = () => randomBytes(32).toString('hex');
    const env: Record<string, string> = {
      NODE_ENV: 'production',
      PROCESS_ROLE: 'all',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      TRUST_PROXY: 'true',
      MONGODB_URL: `mongodb://127.0.0.1:${services.proxy.port}/${databaseName}`,
      REDIS_URL: services.redis.url,
      REDIS_PREFIX: databaseName,
      JWT_SECRET: secret(),
      TOKEN_ENCRYPTION_KEY: secret(),
      META_APP_ID: 'cluster-app',
      META_APP_SECRET: appSecret,
      META_VERIFY_TOKEN: secret(),
      META_GRAPH_API_URL: services.simulator.graphApiUrl,
      META_INSTAGRAM_API_URL: services.simulator.instagramApiUrl,
      BCRYPT_COST: '4',
      SMTP_URL: '',
      ...options.env,
    };
    try {
      const apis = await ApiProcesses.start(options.instances ?? 3, env);
      return new Cluster(services, apis, appSecret, databaseName);
    } catch (error) {
      await stopServices(services, databaseName);
      throw error;
    }
  }

  get size(): number {
    return this.apis.size;
  }

  baseUrl(instance: number): string {
    return this.apis.baseUrl(instance);
  }

  /** Cuts every API process off from the database (connections stay open, nothing gets through). */
  cutDatabase(): void {
    this.services.proxy.pause();
  }

  restoreDatabase(): void {
    this.services.proxy.resume();
  }

  /** An HTTP request to one instance, or to the next one in turn (round-robin). */
  async request(
    path: string,
    options: RequestOptions = {},
    instance?: number,
  ): Promise<HttpAnswer> {
    const target = instance ?? this.pickInstance();
    const headers: Record<string, string> = {
      'x-forwarded-for': options.clientIp ?? freshClientIp(),
      ...options.headers,
    };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(`${this.baseUrl(target)}${path}`, {
      method: options.method ?? 'GET',
      headers,
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: response.status, body: parsed, headers: response.headers, instance: target };
  }

  /**
   * POSTs a webhook body signed like Meta's (`X-Hub-Signature-256`) to one instance or the next
   * in turn. A refused connection or no answer within the timeout is status 0 (not acknowledged).
   */
  async deliver(
    payload: unknown,
    instance?: number,
  ): Promise<{ status: number; instance: number }> {
    const target = instance ?? this.pickInstance();
    const rawBody = JSON.stringify(payload);
    try {
      const response = await fetch(`${this.baseUrl(target)}/v1/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': signWebhookBody(rawBody, this.appSecret),
        },
        body: rawBody,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      await response.arrayBuffer();
      return { status: response.status, instance: target };
    } catch {
      return { status: 0, instance: target };
    }
  }

  /** Instagram ids of new participants the simulated Meta knows (profile lookups find them). */
  participants(count: number): string[] {
    return Array.from({ length: count }, () => this.simulator.addUser().igsid);
  }

  /** A user registered through the API. */
  async register(instance?: number): Promise<ClusterUser> {
    const email = `cluster-${randomBytes(6).toString('hex')}@example.com`;
    const password = `Cluster-${randomBytes(8).toString('hex')}`;
    const answer = await this.request(
      '/v1/auth/register',
      { method: 'POST', body: { name: 'Cluster User', email, password } },
      instance,
    );
    const body = answer.body as {
      user?: { id?: string };
      tokens?: { access?: { token?: string } };
    };
    if (answer.status !== 201 || !body.user?.id || !body.tokens?.access?.token) {
      throw new Error(`Registration answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    }
    return { id: body.user.id, email, password, token: body.tokens.access.token };
  }

  /** Signs in through the API (a fresh client address, so no throttling bucket is shared). */
  async login(email: string, password: string, instance?: number): Promise<string> {
    const answer = await this.request(
      '/v1/auth/login',
      { method: 'POST', body: { email, password } },
      instance,
    );
    const token = (answer.body as { tokens?: { access?: { token?: string } } }).tokens?.access
      ?.token;
    if (answer.status !== 200 || !token) {
      throw new Error(`Login answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    }
    return token;
  }

  /** An admin: registered through the API, given the admin role in the database, signed in. */
  async admin(): Promise<ClusterUser> {
    const user = await this.register();
    await this.db
      .collection('users')
      .updateOne({ _id: new ObjectId(user.id) }, { $set: { role: 'admin' } });
    return { ...user, token: await this.login(user.email, user.password) };
  }

  /** A user with one Instagram account connected through the API. */
  async inbox(): Promise<ClusterInbox> {
    const user = await this.register();
    const sim = this.simulator.addAccount({ connectionType: 'instagram' });
    const answer = await this.request('/v1/instagram', {
      method: 'POST',
      token: user.token,
      body: { accessToken: sim.accessToken },
    });
    const id = (answer.body as { id?: string }).id;
    if (answer.status !== 201 || !id) {
      throw new Error(
        `Connecting an account answered ${answer.status}: ${JSON.stringify(answer.body)}`,
      );
    }
    return { user, accountId: id, igId: sim.instagramBusinessId, sim };
  }

  async stop(): Promise<void> {
    await this.apis.stop();
    await stopServices(this.services, this.databaseName);
  }

  private pickInstance(): number {
    const instance = this.nextInstance % this.size;
    this.nextInstance += 1;
    return instance;
  }
}
