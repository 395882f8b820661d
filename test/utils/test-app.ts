import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getConnectionToken } from '@nestjs/mongoose';
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { createApp } from '../../src/app.factory';
import { freePort } from '../../src/embedded/child-processes';
import { MetaSimulator } from '../../src/meta-simulator';

export interface TestApp {
  app: NestFastifyApplication;
  /** supertest bound to the listening server */
  http: ReturnType<typeof request>;
  baseUrl: string;
  simulator: MetaSimulator;
  /** The mongoose connection of this file's own database. */
  connection: Connection;
  /** The database this app uses (pass it as `databaseName` to boot another app on it). */
  databaseName: string;
  /** `keepDatabase`: leave the database for another app (e.g. a restart) instead of dropping it. */
  close(options?: { keepDatabase?: boolean }): Promise<void>;
}

export interface TestAppOptions {
  /** Extra environment for this app (config is read when the app boots). */
  env?: Record<string, string | undefined>;
  /** Reuse this database (e.g. one left by an app closed with `keepDatabase`). */
  databaseName?: string;
}

/** A unique database name per test file (and per app within it). */
function databaseName(): string {
  const file = basename(expect.getState().testPath ?? 'test').replace(/[^a-z0-9]/gi, '_');
  return `t_${file.slice(0, 40)}_${randomBytes(4).toString('hex')}`;
}

/**
 * Boots the real application on the embedded database with a Meta simulator,
 * listening on a free port so the simulator can deliver webhooks to it.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const base = process.env.TEST_MONGODB_BASE_URI;
  const redisUrl = process.env.TEST_REDIS_BASE_URL;
  if (!base || !redisUrl)
    throw new Error('TEST_MONGODB_BASE_URI is not set: run tests through jest (globalSetup)');
  const simulator = await MetaSimulator.start({ appSecret: process.env.META_APP_SECRET });
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const previous = { ...process.env };
  const dbName = options.databaseName ?? databaseName();
  Object.assign(process.env, {
    // Apps on one database are one deployment: they share its Redis keys too.
    REDIS_PREFIX: dbName,
    PORT: String(port),
    APP_URL: baseUrl,
    META_GRAPH_API_URL: simulator.graphApiUrl,
    META_INSTAGRAM_API_URL: simulator.instagramApiUrl,
  });
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  let app: NestFastifyApplication;
  try {
    app = await createApp({ databaseUri: `${base}/${dbName}`, redisUrl });
    await app.listen({ port, host: '127.0.0.1' });
  } catch (error) {
    await simulator.stop();
    throw error;
  } finally {
    process.env = previous;
  }
  simulator.webhookUrl = `${baseUrl}/v1/webhook`;
  const connection = app.get<Connection>(getConnectionToken());
  return {
    app,
    http: request(baseUrl),
    baseUrl,
    simulator,
    connection,
    databaseName: dbName,
    close: async (closeOptions = {}) => {
      if (!closeOptions.keepDatabase) await connection.dropDatabase().catch(() => undefined);
      await app.close();
      await simulator.stop();
    },
  };
}
