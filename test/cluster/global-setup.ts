import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { utimes, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const REPO_ROOT = resolve(__dirname, '..', '..');
/** Written after a successful build, dated when that build started. */
const STAMP = join(REPO_ROOT, 'dist', '.cluster-build-started');
/** What `nest build -p tsconfig.build.json` reads besides `src/`. */
const BUILD_INPUTS = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'nest-cli.json',
];

function newestModification(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return readdirSync(path).reduce(
    (newest, name) => Math.max(newest, newestModification(join(path, name))),
    stats.mtimeMs,
  );
}

/** `dist/` was built, by this setup, after the last change of anything the build reads. */
function distIsCurrent(): boolean {
  if (!existsSync(STAMP) || !existsSync(join(REPO_ROOT, 'dist', 'main.js'))) return false;
  const inputs = [join(REPO_ROOT, 'src'), ...BUILD_INPUTS.map((name) => join(REPO_ROOT, name))];
  const newest = Math.max(...inputs.filter(existsSync).map(newestModification));
  return newest < statSync(STAMP).mtimeMs;
}

/**
 * The cluster tier runs the compiled API (`node dist/main.js`), so `dist/` must be the code under
 * test: it is built once per run unless it is newer than every source file.
 */
export default async function globalSetup(): Promise<void> {
  if (distIsCurrent()) return;
  const started = new Date();
  process.stdout.write('\nBuilding dist/ for the cluster tier (nest build)...\n');
  try {
    await execFileAsync('npx', ['nest', 'build', '-p', 'tsconfig.build.json'], {
      cwd: REPO_ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const output = error as { stdout?: string; stderr?: string };
    throw new Error(`nest build failed:\n${output.stdout ?? ''}${output.stderr ?? ''}`.trim(), {
      cause: error,
    });
  }
  await writeFile(STAMP, `${started.toISOString()}\n`);
  await utimes(STAMP, started, started);
}
