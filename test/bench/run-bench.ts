import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient, type Document } from 'mongodb';
import ts from 'typescript';
import { TokenCipher } from '../../src/common/crypto/token-cipher';
import { rawEnv } from '../../src/config/env';
import { loadEmbeddedDatabaseSettings } from '../../src/config/database.config';
import { loadEnvironment } from '../../src/config/load-environment';
import { loadEmbeddedRedisSettings } from '../../src/config/redis.config';
import { startEmbeddedDatabase } from '../../src/database/embedded-database';
import { startEmbeddedRedis } from '../../src/redis/embedded-redis';
import { freePort } from '../../src/embedded/child-processes';
import { MetaSimulator } from '../../src/meta-simulator';
import { ApiProcesses } from '../cluster/api-processes';
import { combineBcryptLimits, measureBcryptLimit } from './bcrypt-limit';
import {
  COMMAND_COUNTS_REQUEST,
  isCommandCountsReply,
  type CommandCounts,
} from './command-counter-protocol';
import {
  parseBenchOptions,
  resolveSizes,
  UsageError,
  USAGE,
  type BenchOptions,
  type DataSizes,
} from './options';
import {
  Cleanup,
  readRss,
  RssSampler,
  spawnChild,
  waitUntilHealthy,
  type ManagedChild,
} from './processes';
import {
  clusterRatios,
  evaluateTargets,
  renderReport,
  type BenchReport,
  type MachineInfo,
  type RoundTripResults,
  type ScenarioResults,
} from './report';
import {
  countRequestRoundTrips,
  countWebhookRoundTrips,
  idleCommandRate,
  inboxPageRequest,
  loginRequest,
  measure,
  measurePair,
  measureWebhook,
  messagePageRequest,
  waitForQuiet,
  sendRequest,
  type LoadSettings,
  type SystemUnderTest,
  type Tokens,
} from './scenarios';
import {
  createDeclaredIndexes,
  missingIndexes,
  SEEDED_SCHEMAS,
  type SeededKind,
} from './schema-indexes';
import { planWorld, seedDatabases, SEEDED_COLLECTIONS, type SeedWorld } from './seed';
import { shapeDifferences } from './shape-check';
import { WebhookTraffic } from './webhook-traffic';

const REPO_ROOT = resolve(__dirname, '..', '..');
const API_DATABASE = 'igdm_bench_api';
const BASELINE_DATABASE = 'igdm_bench_baseline';
const PROBE_DATABASE = 'igdm_bench_probe';
const SHAPE_DATABASE = 'igdm_bench_shape';
/** High enough that the login scenario measures logins, not the credential-route throttler. */
const AUTH_THROTTLE_LIMIT = '1000000';
/** API processes of the cluster webhook scenario (the measured API and its replicas). */
const CLUSTER_INSTANCES = 3;
const INHERITED_API_KEYS = [
  'WEBHOOK_BATCH_SIZE',
  'WEBHOOK_POLL_INTERVAL_MS',
  'WEBHOOK_CONCURRENCY',
  'WEBHOOK_WORKER_ENABLED',
  'WEBHOOK_MAX_ATTEMPTS',
];
const ALL_KINDS = Object.keys(SEEDED_SCHEMAS) as SeededKind[];
/** Roughly what FerretDB 1.24 on SQLite spends per document of a collection scan here. */
const SCAN_MS_PER_DOCUMENT = 0.2;

const runStarted = Date.now();

function log(message: string): void {
  const seconds = ((Date.now() - runStarted) / 1000).toFixed(1).padStart(6);
  process.stdout.write(`[bench ${seconds}s] ${message}\n`);
}

function secret(): string {
  return randomBytes(24).toString('hex');
}

/** Compiles the command-counting preload (and its protocol module) to plain JavaScript. */
async function compilePreload(outDir: string): Promise<string> {
  for (const name of ['command-counter', 'command-counter-protocol']) {
    const source = await readFile(join(__dirname, `${name}.ts`), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
      fileName: `${name}.ts`,
    });
    await writeFile(join(outDir, `${name}.js`), outputText);
  }
  return join(outDir, 'command-counter.js');
}

function commandCounts(api: ManagedChild): Promise<CommandCounts> {
  return new Promise((resolvePromise, reject) => {
    const onMessage = (message: unknown) => {
      if (!isCommandCountsReply(message)) return;
      done();
      resolvePromise(message.counts);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error('The API process did not report its command counts'));
    }, 5000);
    const done = () => {
      clearTimeout(timer);
      api.process.off('message', onMessage);
    };
    api.process.on('message', onMessage);
    api.process.send(COMMAND_COUNTS_REQUEST);
  });
}

/** FerretDB 1.x (SQLite) cannot push filters down: every non-_id query reads the collection. */
async function scansEveryQuery(client: MongoClient): Promise<boolean> {
  const probe = client.db(PROBE_DATABASE);
  try {
    await probe.collection('probe').insertOne({ key: 'value' });
    const plan = await probe.collection('probe').find({ key: 'value' }).explain();
    return plan.filterPushdown === false;
  } finally {
    await probe.dropDatabase();
  }
}

async function cpuModel(): Promise<string> {
  try {
    const info = await readFile('/proc/cpuinfo', 'utf8');
    return /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
  } catch {
    return cpus()[0]?.model ?? 'unknown';
  }
}

async function login(baseUrl: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${baseUrl}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const body = (await response.json()) as { tokens?: { access?: { token?: string } } };
  const token = body.tokens?.access?.token;
  if (response.status !== 200 || !token) {
    throw new Error(`Login of ${email} answered ${response.status}: ${JSON.stringify(body)}`);
  }
  return token;
}

async function logInEveryone(baseUrl: string, world: SeedWorld): Promise<Tokens> {
  const tokens: Tokens = new Map();
  const people = [world.admin, ...world.users];
  for (let i = 0; i < people.length; i += 4) {
    await Promise.all(
      people.slice(i, i + 4).map(async (user) => {
        tokens.set(String(user.id), await login(baseUrl, user.email, user.password));
      }),
    );
  }
  return tokens;
}

function assertAlive(children: ManagedChild[]): void {
  for (const child of children) {
    if (child.exited()) {
      throw new Error(
        `${child.label} exited (code ${child.process.exitCode}, signal ${child.process.signalCode}):\n${child.outputTail()}`,
      );
    }
  }
}

function failureNote(
  scenario: string,
  system: string,
  result: { non2xx: number; errors: number; timeouts: number; statusCodes: Record<string, number> },
): string | undefined {
  if (result.non2xx === 0 && result.errors === 0 && result.timeouts === 0) return undefined;
  return (
    `${scenario}: ${system} had ${result.non2xx} non-2xx responses, ${result.errors} errors, ` +
    `${result.timeouts} timeouts (status codes ${JSON.stringify(result.statusCodes)})`
  );
}

async function run(options: BenchOptions, cleanup: Cleanup, argv: string[]): Promise<void> {
  const startedAt = new Date();
  const notes: string[] = [
    'The baseline decodes the bearer token to scope reads to its owner but does not verify its signature; the API verifies the JWT.',
    `The API runs with AUTH_THROTTLE_LIMIT=${AUTH_THROTTLE_LIMIT} so the login scenario measures logins rather than the throttler.`,
  ];
  const mainScript = join(REPO_ROOT, 'dist', 'main.js');
  if (!existsSync(mainScript))
    throw new Error('dist/main.js is missing: run `npm run build` first');

  const workDir = await mkdtemp(join(tmpdir(), 'igdm-bench-'));
  cleanup.add('temporary files', () => rm(workDir, { recursive: true, force: true }));
  const preload = await compilePreload(workDir);

  let serverUri: string;
  let engine: string;
  let version: string;
  if (options.dbUrl) {
    serverUri = options.dbUrl;
    engine = 'external';
    version = '';
  } else {
    const embedded = await startEmbeddedDatabase(loadEmbeddedDatabaseSettings(), {
      persistent: false,
      log,
    });
    cleanup.add('embedded database', () => embedded.stop());
    serverUri = embedded.uri;
    engine = embedded.engine;
    version = embedded.version;
  }
  const redis = await startEmbeddedRedis(loadEmbeddedRedisSettings(), { persistent: false, log });
  cleanup.add('embedded Redis', () => redis.stop());
  const client = new MongoClient(serverUri);
  await client.connect();
  cleanup.add('benchmark database client', () => client.close());
  if (!version) {
    const info = await client.db('admin').command({ buildInfo: 1 });
    version = info.ferretdbVersion
      ? `FerretDB ${String(info.ferretdbVersion)}`
      : `MongoDB ${String(info.version)}`;
  }
  const scans = await scansEveryQuery(client);
  const { sizes, profile } = resolveSizes(options, scans);
  if (profile === 'scan-bound') {
    notes.push(
      `${version} has no filter pushdown (explain: filterPushdown false): every query not by _id reads the whole collection. ` +
        `Default sizes were reduced to the scan-bound profile; --full runs the reference sizes (10,000 conversations, 200,000 messages).`,
    );
  }
  log(`Database: ${version} at ${serverUri}; ${profile} profile ${JSON.stringify(sizes)}`);
  if (scans && profile !== 'scan-bound') {
    const seconds = (sizes.messages * 2 * SCAN_MS_PER_DOCUMENT) / 1000;
    log(
      `WARNING: ${version} reads the whole collection for every query not by _id: a message page ` +
        `read scans ${sizes.messages} messages twice (about ${seconds.toFixed(1)} s); raise --timeout if requests time out.`,
    );
  }

  const apiDb = client.db(API_DATABASE);
  const baseDb = client.db(BASELINE_DATABASE);
  await Promise.all([apiDb.dropDatabase(), baseDb.dropDatabase()]);
  if (options.dbUrl) {
    cleanup.add('benchmark databases', async () => {
      await Promise.all([apiDb.dropDatabase(), baseDb.dropDatabase()]);
    });
  }

  const appSecret = secret();
  const simulator = await MetaSimulator.start({ appSecret });
  cleanup.add('Meta simulator', () => simulator.stop());

  const plan = planWorld(sizes);
  for (const account of plan.accounts) {
    simulator.addAccount({
      instagramBusinessId: account.instagramBusinessId,
      connectionType: 'instagram',
      accessToken: account.accessToken,
      username: account.username,
    });
  }
  for (const conversation of plan.conversations)
    simulator.addUser({ igsid: conversation.igUserId });

  const tokenEncryptionKey = secret();
  const cipher = new TokenCipher({
    tokenEncryptionKey,
    tokenEncryptionKeyId: 'k1',
    previousKeys: [],
  });
  log(`Seeding ${sizes.messages} messages into ${API_DATABASE} and ${BASELINE_DATABASE}...`);
  const { world, timing } = await seedDatabases(
    [apiDb, baseDb],
    plan,
    sizes,
    cipher,
    options.bcryptCost,
    log,
  );
  const indexStarted = Date.now();
  await Promise.all([
    createDeclaredIndexes(apiDb, ALL_KINDS),
    createDeclaredIndexes(baseDb, ALL_KINDS),
  ]);
  const indexMs = Date.now() - indexStarted;
  log(
    `Seeded in ${((timing.hashingMs + timing.insertMs + indexMs) / 1000).toFixed(1)} s (hashing ${timing.hashingMs} ms, inserts ${timing.insertMs} ms, indexes ${indexMs} ms)`,
  );

  const samples = {} as Record<SeededKind, Document>;
  for (const kind of ALL_KINDS) {
    const sample = await apiDb.collection(SEEDED_COLLECTIONS[kind]).findOne({});
    if (sample) samples[kind] = sample;
  }
  const shape = await shapeDifferences(serverUri, SHAPE_DATABASE, samples);
  if (shape.length > 0) {
    notes.push(`Seeded documents differ from what the app stores: ${shape.join('; ')}`);
    log(`WARNING: seeded documents differ from the app's: ${shape.join('; ')}`);
  }

  const baselinePort = await freePort();
  const baselineUrl = `http://127.0.0.1:${baselinePort}`;
  const baseline = spawnChild(
    'baseline server',
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      relative(REPO_ROOT, join(__dirname, 'baseline-server.ts')),
      `--mongo-url=${serverUri}/${BASELINE_DATABASE}`,
      `--port=${baselinePort}`,
      `--app-secret=${appSecret}`,
    ],
    {},
    { cwd: REPO_ROOT },
  );
  cleanup.add('baseline server', () => baseline.stop());
  await waitUntilHealthy(`${baselineUrl}/health`, baseline, Date.now(), 60_000);

  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const apiEnv: Record<string, string> = {
    NODE_ENV: 'production',
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    APP_URL: apiUrl,
    MONGODB_URL: `${serverUri}/${API_DATABASE}`,
    REDIS_URL: redis.url,
    LOG_LEVEL: 'warn',
    JWT_SECRET: secret(),
    TOKEN_ENCRYPTION_KEY: tokenEncryptionKey,
    TOKEN_ENCRYPTION_KEY_ID: 'k1',
    TOKEN_ENCRYPTION_PREVIOUS_KEYS: '',
    BCRYPT_COST: String(options.bcryptCost),
    AUTH_THROTTLE_LIMIT,
    META_APP_ID: 'bench-app',
    META_APP_SECRET: appSecret,
    META_INSTAGRAM_APP_SECRET: '',
    META_VERIFY_TOKEN: secret(),
    META_GRAPH_API_URL: simulator.graphApiUrl,
    META_INSTAGRAM_API_URL: simulator.instagramApiUrl,
    SMTP_URL: '',
    MEDIA_DIR: join(workDir, 'media'),
  };
  simulator.webhookUrl = `${apiUrl}/v1/webhook`;
  log('Starting the API (node dist/main, NODE_ENV=production)...');
  const apiSpawnedAt = Date.now();
  const profileDir = join(REPO_ROOT, 'bench', 'results', 'cpu-profiles');
  const profiling = options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const api = spawnChild(
    'API',
    process.execPath,
    [...profiling, '-r', preload, mainScript],
    apiEnv,
    {
      ipc: true,
      cwd: REPO_ROOT,
      stopTimeoutMs: options.cpuProf ? 60_000 : 10_000,
    },
  );
  cleanup.add('API', async () => {
    await api.stop();
    if (options.cpuProf)
      log(`CPU profile of the API written to ${relative(REPO_ROOT, profileDir)}/`);
  });
  const startupMs = await waitUntilHealthy(`${apiUrl}/health-check`, api, apiSpawnedAt, 120_000);
  log(`API healthy after ${startupMs} ms`);
  await sleep(1000);
  const idleRss = (await readRss(api.pid)) ?? null;

  const missing = [
    ...(await missingIndexes(apiDb, ALL_KINDS)),
    ...(await missingIndexes(baseDb, ALL_KINDS)),
  ];
  if (missing.length > 0) throw new Error(`Indexes missing after startup: ${missing.join('; ')}`);

  const tokens = await logInEveryone(apiUrl, world);
  const counts = () => commandCounts(api);
  const initialCounts = await counts();
  if (initialCounts.monitoredClients === 0) {
    throw new Error('The command-counting preload did not see any MongoClient in the API process');
  }

  const apiSystem: SystemUnderTest = { name: 'api', baseUrl: apiUrl, db: apiDb };
  const baseSystem: SystemUnderTest = { name: 'baseline', baseUrl: baselineUrl, db: baseDb };
  const onNewParticipant = (igsid: string) => {
    simulator.addUser({ igsid });
  };
  let nextParticipant = world.conversations.length + 1;
  const traffic = () => {
    const generator = new WebhookTraffic(world, appSecret, onNewParticipant, nextParticipant);
    nextParticipant += 1_000_000;
    return generator;
  };
  const settings: LoadSettings = {
    connections: options.connections,
    durationSec: options.duration,
    warmupSec: options.warmup,
    timeoutSec: options.timeout,
  };
  const selected = new Set(options.scenarios);
  const scenarios: ScenarioResults = {};
  const roundTrips: RoundTripResults = {};
  const apiRss = new RssSampler(api.pid);
  const baselineRss = new RssSampler(baseline.pid);

  const idlePerSec = await idleCommandRate(counts, options.quick ? 1 : 2);
  const quiet = async (name: string) => {
    if (!(await waitForQuiet(counts, idlePerSec, options.drainTimeout))) {
      notes.push(`The API was still busy with earlier work when the ${name} started.`);
    }
  };
  const samplePhase = (phase: string) => (system: 'api' | 'baseline') => {
    const [active, idle] = system === 'api' ? [apiRss, baselineRss] : [baselineRss, apiRss];
    idle.stop();
    active.start(phase);
  };
  const guarded = async (name: string, step: () => Promise<void>) => {
    try {
      await quiet(name);
      await step();
    } catch (error) {
      assertAlive([api, baseline]);
      const message = error instanceof Error ? error.message : String(error);
      notes.push(`${name} failed: ${message}`);
      log(`${name} failed: ${message}`);
    } finally {
      apiRss.stop();
      baselineRss.stop();
      simulator.clearRequests();
      simulator.sentMessages.length = 0;
    }
  };

  log('Counting database round trips per page read...');
  if (selected.has('messages')) {
    await guarded('round trips per message page', async () => {
      roundTrips.messagePage = await countRequestRoundTrips(
        apiSystem,
        messagePageRequest(world, tokens),
        options.roundTripSamples,
        counts,
        options.timeout,
      );
      if (roundTrips.messagePage.commands.total === 0) {
        throw new Error('command monitoring counted no commands for page reads');
      }
    });
  }
  if (selected.has('inbox')) {
    await guarded('round trips per inbox page', async () => {
      roundTrips.inboxPage = await countRequestRoundTrips(
        apiSystem,
        inboxPageRequest(world, tokens),
        options.roundTripSamples,
        counts,
        options.timeout,
      );
    });
  }
  if (selected.has('messages')) {
    log('Scenario: GET /v1/messages/:conversationId?limit=50');
    await guarded('messages scenario', async () => {
      scenarios.messages = await measurePair(
        apiUrl,
        baselineUrl,
        messagePageRequest(world, tokens),
        settings,
        samplePhase('messages'),
      );
    });
  }
  if (selected.has('inbox')) {
    log('Scenario: GET /v1/conversations/:accountId?limit=20');
    await guarded('inbox scenario', async () => {
      scenarios.inbox = await measurePair(
        apiUrl,
        baselineUrl,
        inboxPageRequest(world, tokens),
        settings,
        samplePhase('inbox'),
      );
    });
  }
  if (selected.has('login')) {
    log('Scenario: POST /v1/auth/login (and the bcrypt limit)');
    await guarded('login scenario', async () => {
      const bcryptMs = options.quick ? 1000 : 1500;
      const before = await measureBcryptLimit(options.bcryptCost, bcryptMs);
      apiRss.start('login');
      const ours = await measure(apiUrl, loginRequest(world), settings);
      apiRss.stop();
      const after = await measureBcryptLimit(options.bcryptCost, bcryptMs);
      scenarios.login = { api: ours, bcrypt: combineBcryptLimits(before, after) };
    });
  }
  if (selected.has('send')) {
    log('Scenario: POST /v1/messages/:conversationId (Meta simulator, no latency)');
    await guarded('send scenario', async () => {
      apiRss.start('send');
      const ours = await measure(apiUrl, sendRequest(world, tokens), settings);
      scenarios.send = { api: ours };
    });
  }
  if (selected.has('webhook')) {
    log('Counting database round trips per webhook message...');
    await guarded('round trips per webhook message', async () => {
      roundTrips.webhookMessage = await countWebhookRoundTrips(
        apiSystem,
        traffic(),
        options.roundTripSamples,
        counts,
        idlePerSec,
        1500,
        options.drainTimeout,
      );
    });
    log('Scenario: POST /v1/webhook (baseline first, then the API and its inbox drain)');
    await guarded('webhook scenario', async () => {
      baselineRss.start('webhook');
      const base = await measureWebhook(baseSystem, traffic(), settings, options.drainTimeout);
      baselineRss.stop();
      apiRss.start('webhook');
      const ours = await measureWebhook(
        apiSystem,
        traffic(),
        settings,
        options.drainTimeout,
        counts,
      );
      scenarios.webhook = { api: ours, baseline: base };
      if (!ours.drained) {
        notes.push(
          `The API had not made every acknowledged webhook message queryable ${options.drainTimeout} s after the load ended; its end-to-end rate is a lower bound.`,
        );
      }
    });
  }
  if (selected.has('cluster')) {
    log(
      `Scenario: POST /v1/webhook spread over ${CLUSTER_INSTANCES} API processes on one database and one Redis`,
    );
    await guarded('cluster webhook scenario', async () => {
      const replicas = await ApiProcesses.start(CLUSTER_INSTANCES - 1, apiEnv);
      cleanup.add('API replicas', () => replicas.stop());
      try {
        apiRss.start('cluster');
        const ours = await measureWebhook(
          { ...apiSystem, replicas: replicas.baseUrls },
          traffic(),
          settings,
          options.drainTimeout,
        );
        scenarios.cluster = { api: ours, instances: CLUSTER_INSTANCES };
        if (!ours.drained) {
          notes.push(
            `${CLUSTER_INSTANCES} API processes had not made every acknowledged webhook message queryable ${options.drainTimeout} s after the load ended; their end-to-end rate is a lower bound.`,
          );
        }
      } finally {
        await replicas.stop();
      }
    });
  }
  assertAlive([api, baseline]);

  for (const [name, pair] of Object.entries(scenarios) as [string, Record<string, unknown>][]) {
    for (const [system, result] of Object.entries(pair)) {
      const load = (result as { deliveries?: unknown }).deliveries ?? result;
      if (typeof load === 'object' && load !== null && 'non2xx' in load) {
        const note = failureNote(name, system, load as Parameters<typeof failureNote>[2]);
        if (note) notes.push(note);
      }
    }
  }
  const logLines = { ...api.logLevels };
  if ((logLines.warn ?? 0) + (logLines.error ?? 0) + (logLines.fatal ?? 0) > 0) {
    notes.push(`The API logged ${JSON.stringify(logLines)} lines by level during the run.`);
  }

  const machine: MachineInfo = {
    cpus: cpus().length,
    cpuModel: await cpuModel(),
    memoryGb: totalmem() / 1024 ** 3,
    node: process.version,
    kernel: release(),
    database: { engine, version, scansEveryQuery: scans },
  };
  const finishedAt = new Date();
  const inherited: Record<string, string> = {};
  for (const key of INHERITED_API_KEYS) {
    const value = rawEnv(key);
    if (value !== undefined) inherited[key] = value;
  }
  const seededSizes: DataSizes & { admins: number; seededMessages: number } = {
    ...sizes,
    admins: 1,
    seededMessages: world.messageCount,
  };
  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    runSeconds: (finishedAt.getTime() - runStarted) / 1000,
    argv,
    profile,
    sizes: seededSizes,
    settings: {
      durationSec: options.duration,
      warmupSec: options.warmup,
      connections: options.connections,
      timeoutSec: options.timeout,
      drainTimeoutSec: options.drainTimeout,
      bcryptCost: options.bcryptCost,
      scenarios: options.scenarios,
      inheritedApiSettings: inherited,
    },
    machine,
    seeding: { ...timing, indexMs },
    checks: { missingIndexes: missing, shapeDifferences: shape },
    api: {
      startupMs,
      idleRssBytes: idleRss,
      peakRssUnderLoadBytes: apiRss.overallPeak() ?? null,
      peakRssByPhase: apiRss.peaks,
      logLines,
      problemLines: api.problemLines,
    },
    baselineServer: { peakRssBytes: baselineRss.overallPeak() ?? null },
    scenarios,
    clusterRatios: clusterRatios(scenarios),
    roundTrips,
    targets: evaluateTargets(scenarios, roundTrips),
    notes,
  };
  const out = resolve(
    REPO_ROOT,
    options.out ??
      join(
        'bench',
        'results',
        `${startedAt.toISOString().replace(/:/g, '-').replace(/\..*$/, '')}.json`,
      ),
  );
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(
    `\n${renderReport(report)}\n\nReport written to ${relative(REPO_ROOT, out)}\n`,
  );
}

async function main(): Promise<void> {
  loadEnvironment();
  const argv = process.argv.slice(2);
  let options: BenchOptions;
  try {
    options = parseBenchOptions(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message ? `${error.message}\n\n` : ''}${USAGE}\n`);
    process.exitCode = error.message ? 2 : 0;
    return;
  }
  const cleanup = new Cleanup();
  const interrupt = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping everything the benchmark started...`);
    void cleanup.runAll(log).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    await run(options, cleanup, argv);
  } catch (error) {
    process.exitCode = 1;
    log(
      `Benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  } finally {
    await cleanup.runAll(log);
  }
}

void main();
