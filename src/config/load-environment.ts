import { parse } from 'dotenv';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isTestEnv } from './env';

export interface LoadEnvironmentOptions {
  /** Folder holding the `.env` file (default: the working directory). */
  cwd?: string;
  /** Read `.env` even when NODE_ENV=test (tests normally ignore it). */
  inTests?: boolean;
}

export interface LoadedEnvironment {
  /** The `.env` file read. */
  path: string;
  /** Keys taken from it (those the real environment did not set). */
  applied: string[];
}

/**
 * The one way every entry point (server, dev launcher, CLIs, simulator, benchmarks) loads its
 * environment, called before anything reads configuration: the keys of `.env` in the working
 * directory are added to `process.env`. A variable already set in the real environment, even to
 * an empty string, always wins over `.env`. Under NODE_ENV=test `.env` is ignored, so a
 * developer's file never changes what the tests see.
 */
export function loadEnvironment(
  options: LoadEnvironmentOptions = {},
): LoadedEnvironment | undefined {
  if (isTestEnv() && !options.inTests) return undefined;
  const path = resolve(options.cwd ?? process.cwd(), '.env');
  if (!existsSync(path)) return undefined;
  const applied: string[] = [];
  for (const [key, value] of Object.entries(parse(readFileSync(path)))) {
    if (key in process.env) continue;
    process.env[key] = value;
    applied.push(key);
  }
  return { path, applied };
}
