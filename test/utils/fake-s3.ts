import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { goEnvironment, loadEmbeddedDatabaseSettings } from '../../src/config/database.config';
import {
  buildOnce,
  findOnPath,
  freePort,
  isExecutable,
  killOnExit,
  stopChild,
  tail,
} from '../../src/embedded/child-processes';

const execFileAsync = promisify(execFile);

const GOFAKES3_PACKAGE = 'github.com/johannesboyne/gofakes3/cmd/gofakes3';
const GOFAKES3_VERSION = 'v1.2.0';

export interface FakeS3 {
  /** Endpoint of the server (path-style buckets). */
  endpoint: string;
  stop(): Promise<void>;
}

/** Builds the gofakes3 server once into the binaries cache (beside the embedded database's). */
async function buildGofakes3(): Promise<string> {
  const settings = loadEmbeddedDatabaseSettings();
  const dir = join(settings.cacheDir, `gofakes3-${GOFAKES3_VERSION}`);
  const binary = join(dir, 'gofakes3');
  if (isExecutable(binary)) return binary;
  if (!findOnPath('go', settings.pathDirs)) {
    throw new Error('Go is not installed, so the S3-compatible test server cannot be built');
  }
  return buildOnce(binary, dir, 10 * 60_000, async () => {
    await execFileAsync('go', ['install', `${GOFAKES3_PACKAGE}@${GOFAKES3_VERSION}`], {
      env: { ...goEnvironment(), GOBIN: dir },
      maxBuffer: 16 * 1024 * 1024,
    });
  });
}

async function waitForHttp(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`gofakes3 exited with code ${child.exitCode}: ${output()}`);
    }
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`gofakes3 did not answer within 10 s: ${output()}`);
}

/** An in-memory S3-compatible server (gofakes3) on a free port, with `bucket` created. */
export async function startFakeS3(bucket: string): Promise<FakeS3> {
  const binary = await buildGofakes3();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(
    binary,
    ['-backend', 'memory', '-host', `127.0.0.1:${port}`, '-initialbucket', bucket, '-quiet'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  killOnExit(child);
  const stdout = tail(child.stdout);
  const stderr = tail(child.stderr);
  try {
    await waitForHttp(endpoint, child, () => stdout() + stderr());
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { endpoint, stop: () => stopChild(child) };
}
