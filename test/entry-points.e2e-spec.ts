import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import { freePort } from '../src/embedded/child-processes';

/**
 * Every entry point reads `.env` from its working directory before anything reads configuration.
 * Each one runs here as its own process (through ts-node) in a temporary folder holding a `.env`,
 * with a bare environment, so only the file can supply the values observed.
 */

const REPO_ROOT = resolve(__dirname, '..');
const TS_NODE = join(REPO_ROOT, 'node_modules', 'ts-node', 'register', 'transpile-only.js');
const SPAWN_TIMEOUT_MS = 60_000;

jest.setTimeout(120_000);

interface Running {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Runs `entry` (a .ts file of the repository) with `cwd` as working directory. */
function run(entry: string, cwd: string, args: string[] = []): Running {
  const child = spawn(process.execPath, ['-r', TS_NODE, join(REPO_ROOT, entry), ...args], {
    cwd,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TS_NODE_PROJECT: join(REPO_ROOT, 'tsconfig.json'),
      // Should anything fall back to an embedded database, it fails at once instead.
      EMBEDDED_DB: 'ferretdb',
      FERRETDB_BINARY: join(cwd, 'no-such-ferretdb'),
      REDIS_BINARY: join(cwd, 'no-such-redis-server'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, output: () => output, exited };
}

async function until(
  running: Running,
  what: string,
  check: () => Promise<boolean> | boolean,
): Promise<void> {
  const deadline = Date.now() + SPAWN_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await check()) return;
    if (running.child.exitCode !== null) {
      throw new Error(
        `exited (${running.child.exitCode}) before ${what}; output:\n${running.output()}`,
      );
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}; output:\n${running.output()}`);
}

async function stop(running: Running): Promise<number | null> {
  if (running.child.exitCode === null && running.child.signalCode === null) {
    running.child.kill('SIGTERM');
  }
  return running.exited;
}

async function answers(url: string): Promise<number | undefined> {
  try {
    return (await fetch(url)).status;
  } catch {
    return undefined;
  }
}

function isListening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

describe('entry points read .env from the working directory', () => {
  const baseUri = process.env.TEST_MONGODB_BASE_URI as string;
  const redisUrl = process.env.TEST_REDIS_BASE_URL as string;
  let dir: string;
  let client: MongoClient;
  let running: Running | undefined;
  const databases: string[] = [];

  function databaseName(): string {
    const name = `t_entry_points_${randomBytes(4).toString('hex')}`;
    databases.push(name);
    return name;
  }

  async function writeEnvFile(values: Record<string, string | number>): Promise<void> {
    const lines = Object.entries(values).map(([key, value]) => `${key}=${value}`);
    await writeFile(join(dir, '.env'), `${lines.join('\n')}\n`);
  }

  beforeAll(async () => {
    client = await new MongoClient(baseUri, { directConnection: true }).connect();
  });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'igdm-entry-'));
  });

  afterEach(async () => {
    if (running) await stop(running);
    running = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  afterAll(async () => {
    for (const name of databases) await client.db(name).dropDatabase();
    await client.close();
  });

  it('the server listens on the .env PORT, uses the .env MONGODB_URL and logs readable lines in development', async () => {
    const port = await freePort();
    const database = databaseName();
    await writeEnvFile({
      NODE_ENV: 'development',
      PORT: port,
      HOST: '127.0.0.1',
      MONGODB_URL: `${baseUri}/${database}`,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: database,
      LOG_LEVEL: 'info',
    });

    running = run('src/main.ts', dir);
    const server = running;
    await until(
      server,
      'GET /health-check = 200',
      async () => (await answers(`http://127.0.0.1:${port}/health-check`)) === 200,
    );

    const collections = await client.db(database).listCollections().toArray();
    expect(collections.map((c) => c.name)).toEqual(expect.arrayContaining(['users']));
    expect(server.output()).toMatch(
      new RegExp(
        `^\\[[\\d:.]+\\] INFO: \\[Bootstrap\\] API listening on http://localhost:${port}`,
        'm',
      ),
    );
    expect(server.output()).not.toMatch(/^\{/m);
    expect(await stop(server)).toBe(0);
  });

  it('start:dev uses real Meta credentials from .env instead of starting the simulator', async () => {
    const simulatorPort = await freePort();
    await writeEnvFile({
      MONGODB_URL: `${baseUri}/${databaseName()}`,
      REDIS_URL: redisUrl,
      META_APP_ID: 'app-id-from-dotenv',
      META_APP_SECRET: 'app-secret-from-dotenv',
      META_SIMULATOR_PORT: simulatorPort,
    });

    running = run('src/dev/start-dev.ts', dir);
    const launcher = running;
    await until(launcher, 'the Meta decision', () => launcher.output().includes('META_APP_ID'));

    expect(launcher.output()).toContain('[dev] Database: MONGODB_URL');
    expect(launcher.output()).toContain('[dev] Redis: REDIS_URL');
    expect(launcher.output()).toContain(
      '[dev] META_APP_ID and META_APP_SECRET are set: the API talks to Meta (no simulator)',
    );
    expect(launcher.output()).not.toContain('Meta SIMULATOR');
    expect(await isListening(simulatorPort)).toBe(false);
  });

  it('create-admin writes to the database named by the .env MONGODB_URL', async () => {
    const database = databaseName();
    await writeEnvFile({ MONGODB_URL: `${baseUri}/${database}`, BCRYPT_COST: 4 });

    running = run('src/cli/create-admin.ts', dir, [
      '--email',
      'dotenv-admin@example.com',
      '--password',
      'correct-horse-battery-1',
    ]);
    const code = await running.exited;

    expect({ code, output: running.output() }).toEqual({
      code: 0,
      output: expect.stringContaining('Created admin dotenv-admin@example.com'),
    });
    const admin = await client
      .db(database)
      .collection('users')
      .findOne({ email: 'dotenv-admin@example.com' });
    expect(admin).toMatchObject({ role: 'admin' });
  });

  it('the Meta simulator listens on the .env META_SIMULATOR_PORT with the .env app secret', async () => {
    const port = await freePort();
    await writeEnvFile({
      META_SIMULATOR_PORT: port,
      META_SIMULATOR_HOST: '127.0.0.1',
      META_APP_SECRET: 'simulator-secret-from-dotenv',
    });

    running = run('src/meta-simulator/main.ts', dir);
    const simulator = running;
    await until(
      simulator,
      'the simulator to answer',
      async () => (await answers(`http://127.0.0.1:${port}/_simulator/state`)) === 200,
    );

    expect(simulator.output()).toContain('META_APP_SECRET=simulator-secret-from-dotenv');
    expect(await stop(simulator)).toBe(0);
  });

  it('the benchmark reads its settings from .env before parsing its options', async () => {
    await writeEnvFile({ BCRYPT_COST: 99 });

    running = run('test/bench/run-bench.ts', dir, ['--quick']);
    const code = await running.exited;

    expect({ code, output: running.output() }).toEqual({
      code: 2,
      output: expect.stringContaining('--bcrypt-cost must be 4 to 15'),
    });
  });
});
