import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { loadAppConfig } from '../config/app.config';
import { loadDatabaseConfig } from '../config/database.config';
import { childEnvironment } from '../config/env';
import { loadEnvironment } from '../config/load-environment';
import { hasRealMetaCredentials, loadMetaSimulatorSettings } from '../config/meta.config';
import { loadRedisConfig } from '../config/redis.config';
import { resolveDatabase } from '../database/resolve-database';
import type { MetaSimulator } from '../meta-simulator';
import { startDemoSimulator } from '../meta-simulator/demo';
import { resolveRedis } from '../redis/resolve-redis';

/**
 * `npm run start:dev`: reads `.env`, starts (or reuses) the database and Redis, and — without real Meta
 * credentials — the Meta simulator, then runs the API in watch mode pointed at them. With `--debug`
 * (`npm run start:debug`) the API also listens for a debugger (Node's inspector, port 9229).
 */
async function main(): Promise<void> {
  const log = (message: string) => process.stdout.write(`[dev] ${message}\n`);
  const environment = loadEnvironment();
  if (environment) {
    log(`Settings from ${environment.path}: ${environment.applied.join(', ') || 'none new'}`);
  }
  const app = loadAppConfig();
  if (loadDatabaseConfig().url) log('Database: MONGODB_URL');
  const database = await resolveDatabase(log);
  if (loadRedisConfig().url) log('Redis: REDIS_URL');
  const redis = await resolveRedis(log);
  const overrides: Record<string, string> = { MONGODB_URL: database.uri, REDIS_URL: redis.url };
  let simulator: MetaSimulator | undefined;
  if (hasRealMetaCredentials()) {
    log('META_APP_ID and META_APP_SECRET are set: the API talks to Meta (no simulator)');
  } else {
    const settings = loadMetaSimulatorSettings();
    const demo = await startDemoSimulator({
      port: settings.port,
      host: settings.host,
      appSecret: 'meta-simulator-app-secret',
      webhookUrl: `http://127.0.0.1:${app.port}/v1/webhook`,
    });
    simulator = demo.simulator;
    Object.assign(overrides, {
      META_APP_ID: 'meta-simulator',
      META_APP_SECRET: simulator.appSecret,
      META_GRAPH_API_URL: simulator.graphApiUrl,
      META_INSTAGRAM_API_URL: simulator.instagramApiUrl,
    });
    log(`No META_APP_ID/META_APP_SECRET: Meta calls go to the Meta SIMULATOR at ${simulator.url}`);
    demo.instructions.forEach((line) => log(line));
  }
  const debug = process.argv.includes('--debug') ? ['--debug'] : [];
  const child = spawn(join('node_modules', '.bin', 'nest'), ['start', '--watch', ...debug], {
    stdio: 'inherit',
    env: childEnvironment(overrides),
    // Its own process group: the watcher does not pass signals on to the API it runs, so the
    // whole group is signalled on shutdown.
    detached: true,
  });
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (child.pid !== undefined) {
      const exited = new Promise((resolve) =>
        child.exitCode === null && child.signalCode === null
          ? child.once('exit', resolve)
          : resolve(null),
      );
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // the group is already gone
      }
      await exited;
    }
    await simulator?.stop();
    await Promise.all([database.stop(), redis.stop()]);
    process.exit(code);
  };
  child.once('error', (error) => {
    log(`Could not run the API in watch mode: ${error.message}`);
    void stop(1);
  });
  child.once('exit', (code) => void stop(code ?? 0));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop(0));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
