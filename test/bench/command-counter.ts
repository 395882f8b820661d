/**
 * Preloaded into the API process (`node -r <compiled file> dist/main`): turns on command
 * monitoring for every MongoClient the application creates and answers count requests
 * over the IPC channel. Changes nothing else in the process.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  COMMAND_COUNTS_REQUEST,
  HOUSEKEEPING_COMMANDS,
  type CommandCountsReply,
} from './command-counter-protocol';

interface StartedCommand {
  commandName: string;
  command?: Record<string, unknown>;
}

interface MonitoredClient {
  monitorCommands: boolean;
  on(event: 'commandStarted', listener: (event: StartedCommand) => void): unknown;
}

interface MongoClientClass {
  prototype: MonitoredClient & { connect(...args: unknown[]): Promise<unknown> };
}

const housekeeping = new Set(HOUSEKEEPING_COMMANDS);
const byCommand = new Map<string, number>();
const monitored = new WeakSet<object>();
const instrumented = new WeakSet<object>();
let total = 0;
let monitoredClients = 0;

/** Counted as "<command> <collection>" (e.g. "find messages") when the command names one. */
function countCommand(event: StartedCommand): void {
  const name = event.commandName;
  if (housekeeping.has(name)) return;
  const collection = event.command?.[name] ?? event.command?.collection;
  const key = typeof collection === 'string' ? `${name} ${collection}` : name;
  total += 1;
  byCommand.set(key, (byCommand.get(key) ?? 0) + 1);
}

function instrument(MongoClient: MongoClientClass): void {
  const prototype = MongoClient.prototype;
  if (instrumented.has(prototype)) return;
  instrumented.add(prototype);
  const connect = prototype.connect;
  prototype.connect = function (this: MonitoredClient, ...args: unknown[]) {
    if (!monitored.has(this)) {
      monitored.add(this);
      monitoredClients += 1;
      this.monitorCommands = true;
      this.on('commandStarted', countCommand);
    }
    return connect.apply(this, args);
  };
}

function resolveFrom(require: NodeJS.Require, id: string): string | undefined {
  try {
    return require.resolve(id);
  } catch {
    return undefined;
  }
}

const appRequire = createRequire(join(process.cwd(), 'package.json'));
const mongoose = resolveFrom(appRequire, 'mongoose');
const driverPaths = new Set(
  [
    resolveFrom(appRequire, 'mongodb'),
    mongoose ? resolveFrom(createRequire(mongoose), 'mongodb') : undefined,
  ].filter((path): path is string => path !== undefined),
);
for (const path of driverPaths) {
  instrument((appRequire(path) as { MongoClient: MongoClientClass }).MongoClient);
}

process.on('message', (message: unknown) => {
  if (message !== COMMAND_COUNTS_REQUEST || !process.send) return;
  const reply: CommandCountsReply = {
    type: COMMAND_COUNTS_REQUEST,
    counts: { total, byCommand: Object.fromEntries(byCommand), monitoredClients },
  };
  process.send(reply);
});
process.channel?.unref();
