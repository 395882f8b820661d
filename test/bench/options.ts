import { parseArgs } from 'node:util';
import { rawEnv } from '../../src/config/env';

export const SCENARIOS = ['webhook', 'cluster', 'messages', 'inbox', 'send', 'login'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface DataSizes {
  users: number;
  accounts: number;
  conversations: number;
  messages: number;
}

export type SizeProfile = 'full' | 'scan-bound' | 'quick' | 'custom';

export interface BenchOptions {
  /** Explicit sizes; undefined fields are filled from the profile once the engine is known. */
  sizes: Partial<DataSizes>;
  /** Force the full sizes even on an engine without filter pushdown. */
  full: boolean;
  quick: boolean;
  /** Seconds of measured load per scenario and system. */
  duration: number;
  /** Seconds of unmeasured load before each measured run. */
  warmup: number;
  connections: number;
  /** Seconds an HTTP request may take before autocannon counts a timeout. */
  timeout: number;
  /** Seconds to wait for ingested webhook messages to become queryable. */
  drainTimeout: number;
  scenarios: ScenarioName[];
  bcryptCost: number;
  /** Use this MongoDB server instead of starting the embedded one. */
  dbUrl?: string;
  /** Requests per system for the database round-trip counts. */
  roundTripSamples: number;
  /** Write a V8 CPU profile of the API process. */
  cpuProf: boolean;
  out?: string;
}

/** The reference data set. */
export const FULL_SIZES: DataSizes = {
  users: 20,
  accounts: 50,
  conversations: 10_000,
  messages: 200_000,
};

/**
 * Used by default when the database cannot push filters down (FerretDB 1.x on SQLite reads
 * the whole collection for every query not by _id, about 0.1-0.2 ms per document): the same
 * shape at a size where a page read still takes a fraction of a second.
 */
export const SCAN_BOUND_SIZES: DataSizes = {
  users: 20,
  accounts: 50,
  conversations: 250,
  messages: 1_000,
};

export const QUICK_SIZES: DataSizes = {
  users: 5,
  accounts: 10,
  conversations: 100,
  messages: 300,
};

export const USAGE = `Usage: npm run bench -- [options]

Benchmarks the production build against a minimal node:http + mongodb baseline on the same
database server, and writes bench/results/<date>.json.

Data: 1 admin, ${FULL_SIZES.users} users, ${FULL_SIZES.accounts} accounts, ${FULL_SIZES.conversations} conversations, ${FULL_SIZES.messages} messages; on a database
that cannot push filters down (the embedded FerretDB) ${SCAN_BOUND_SIZES.users}/${SCAN_BOUND_SIZES.accounts}/${SCAN_BOUND_SIZES.conversations}/${SCAN_BOUND_SIZES.messages} unless --full or sizes are given.

  --quick                 small data set and short runs (about a minute in all)
  --full                  the reference sizes even when the database scans every query
  --users N               users besides the admin
  --accounts N            connected Instagram accounts
  --conversations N
  --messages N
  --duration S            measured seconds per scenario and system (default 10, quick 3)
  --warmup S              unmeasured seconds before each measured run (default 2, quick 1)
  --connections N         concurrent connections, no pipelining (default 10)
  --timeout S             request timeout (default 30)
  --drain-timeout S       wait for ingested webhooks to become queryable (default 60, quick 20)
  --scenarios a,b         subset of ${SCENARIOS.join(',')}
                          (cluster: the webhook scenario on three API processes, one database and one Redis)
  --bcrypt-cost N         BCRYPT_COST of the API and of the seeded hashes (default BCRYPT_COST or 10)
  --round-trip-samples N  requests counted for the database round trips (default 30, quick 10)
  --db-url URL            use this MongoDB server (no database name) instead of the embedded one;
                          its databases igdm_bench_api and igdm_bench_baseline are dropped
  --cpu-prof              write a V8 CPU profile of the API to bench/results/cpu-profiles/
  --out FILE              report path (default bench/results/<date>.json)
  -h, --help`;

export class UsageError extends Error {}

function positiveInt(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new UsageError(`--${name} must be a positive integer (got "${raw}")`);
  }
  return value;
}

function seconds(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new UsageError(`--${name} must be a positive number of seconds (got "${raw}")`);
  }
  return value;
}

function parseScenarios(raw: string | undefined): ScenarioName[] {
  if (raw === undefined) return [...SCENARIOS];
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
  if (unknown.length > 0 || names.length === 0) {
    throw new UsageError(`--scenarios takes a comma-separated subset of ${SCENARIOS.join(',')}`);
  }
  return SCENARIOS.filter((name) => names.includes(name));
}

export function parseBenchOptions(argv: string[]): BenchOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: 'boolean' },
        full: { type: 'boolean' },
        users: { type: 'string' },
        accounts: { type: 'string' },
        conversations: { type: 'string' },
        messages: { type: 'string' },
        duration: { type: 'string' },
        warmup: { type: 'string' },
        connections: { type: 'string' },
        timeout: { type: 'string' },
        'drain-timeout': { type: 'string' },
        scenarios: { type: 'string' },
        'bcrypt-cost': { type: 'string' },
        'round-trip-samples': { type: 'string' },
        'db-url': { type: 'string' },
        'cpu-prof': { type: 'boolean' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) throw new UsageError('');
  const text = (name: string) => values[name] as string | undefined;
  const quick = values.quick === true;
  const full = values.full === true;
  if (quick && full) throw new UsageError('--quick and --full exclude each other');
  const bcryptCost = positiveInt('bcrypt-cost', text('bcrypt-cost') ?? rawEnv('BCRYPT_COST')) ?? 10;
  if (bcryptCost < 4 || bcryptCost > 15) throw new UsageError('--bcrypt-cost must be 4 to 15');
  const sizes: Partial<DataSizes> = {
    users: positiveInt('users', text('users')),
    accounts: positiveInt('accounts', text('accounts')),
    conversations: positiveInt('conversations', text('conversations')),
    messages: positiveInt('messages', text('messages')),
  };
  return {
    sizes,
    full,
    quick,
    duration: seconds('duration', text('duration')) ?? (quick ? 3 : 10),
    warmup: seconds('warmup', text('warmup')) ?? (quick ? 1 : 2),
    connections: positiveInt('connections', text('connections')) ?? 10,
    timeout: seconds('timeout', text('timeout')) ?? 30,
    drainTimeout: seconds('drain-timeout', text('drain-timeout')) ?? (quick ? 20 : 60),
    scenarios: parseScenarios(text('scenarios')),
    bcryptCost,
    dbUrl: text('db-url')?.replace(/\/+$/, ''),
    roundTripSamples:
      positiveInt('round-trip-samples', text('round-trip-samples')) ?? (quick ? 10 : 30),
    out: text('out'),
    cpuProf: values['cpu-prof'] === true,
  };
}

/**
 * The data set: explicit sizes win; otherwise quick, full, or (when the database scans every
 * non-_id query and --full was not given) the scan-bound profile.
 */
export function resolveSizes(
  options: BenchOptions,
  scansEveryQuery: boolean,
): { sizes: DataSizes; profile: SizeProfile } {
  const base = options.quick
    ? QUICK_SIZES
    : scansEveryQuery && !options.full
      ? SCAN_BOUND_SIZES
      : FULL_SIZES;
  const profile: SizeProfile = options.quick
    ? 'quick'
    : base === SCAN_BOUND_SIZES
      ? 'scan-bound'
      : 'full';
  const sizes: DataSizes = {
    users: options.sizes.users ?? base.users,
    accounts: options.sizes.accounts ?? base.accounts,
    conversations: options.sizes.conversations ?? base.conversations,
    messages: options.sizes.messages ?? base.messages,
  };
  const custom = Object.values(options.sizes).some((value) => value !== undefined);
  if (sizes.conversations < sizes.accounts) {
    throw new UsageError('--conversations must be at least --accounts');
  }
  return { sizes, profile: custom ? 'custom' : profile };
}
