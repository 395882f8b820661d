import type { ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Helpers shared by the embedded development services (database, Redis): building and finding binaries,
 * picking free ports and stopping child processes, also when the parent exits without asking.
 */

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findOnPath(name: string, dirs: string[]): string | undefined {
  return dirs.map((dir) => join(dir, name)).find(isExecutable);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** SIGTERM, then SIGKILL after five seconds; resolves once the child has exited. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(killTimer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills the child synchronously if this process exits without stopping it. */
export function killOnExit(child: ChildProcess): void {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => liveChildren.forEach((c) => c.kill('SIGKILL')));
  }
}

/** Keeps the last `limit` characters a child writes to the stream, for error messages. */
export function tail(stream: NodeJS.ReadableStream | null, limit = 4000): () => string {
  let text = '';
  stream?.on('data', (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-limit);
  });
  return () => text;
}

/**
 * Builds `target` once, also when several processes ask at the same time (test workers): one
 * takes a lock folder in `dir` and runs `build`, the others wait for the target to appear. A lock
 * older than `staleAfterMs` belongs to a build that died and is taken over.
 */
export async function buildOnce(
  target: string,
  dir: string,
  staleAfterMs: number,
  build: () => Promise<void>,
): Promise<string> {
  if (isExecutable(target)) return target;
  await mkdir(dir, { recursive: true });
  const lock = join(dir, '.build-lock');
  const started = Date.now();
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      if (isExecutable(target)) return target;
      if (Date.now() - started > staleAfterMs) await rm(lock, { recursive: true, force: true });
      await sleep(1000);
    }
  }
  try {
    if (!isExecutable(target)) await build();
    return target;
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}
