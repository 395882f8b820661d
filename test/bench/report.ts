import type { BcryptLimit } from './bcrypt-limit';
import type { LoadResult } from './load';
import type { DataSizes, SizeProfile } from './options';
import type { RoundTrips, WebhookResult } from './scenarios';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  kernel: string;
  database: { engine: string; version: string; scansEveryQuery: boolean };
}

export interface TargetResult {
  id: string;
  description: string;
  measured: number | null;
  limit: number | null;
  /** null when a scenario it needs was not run or failed. */
  pass: boolean | null;
}

export interface ScenarioResults {
  webhook?: { api: WebhookResult; baseline: WebhookResult };
  /** The webhook scenario with the load spread over several API processes on one database. */
  cluster?: { api: WebhookResult; instances: number };
  messages?: { api: LoadResult; baseline: LoadResult };
  inbox?: { api: LoadResult; baseline: LoadResult };
  send?: { api: LoadResult };
  login?: { api: LoadResult; bcrypt: BcryptLimit };
}

export interface RoundTripResults {
  webhookMessage?: RoundTrips & { drained: boolean };
  messagePage?: RoundTrips;
  inboxPage?: RoundTrips;
}

/** The several-instance webhook scenario as ratios to one instance and to the baseline. */
export interface ClusterRatios {
  instances: number;
  ackedToOneInstance: number | null;
  ackedToBaseline: number | null;
  endToEndToOneInstance: number | null;
  endToEndToBaseline: number | null;
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  runSeconds: number;
  argv: string[];
  profile: SizeProfile;
  sizes: DataSizes & { admins: number; seededMessages: number };
  settings: {
    durationSec: number;
    warmupSec: number;
    connections: number;
    timeoutSec: number;
    drainTimeoutSec: number;
    bcryptCost: number;
    scenarios: string[];
    /** Configuration the API inherited from this shell (WEBHOOK_*). */
    inheritedApiSettings: Record<string, string>;
  };
  machine: MachineInfo;
  seeding: {
    hashingMs: number;
    insertMs: number;
    indexMs: number;
    documents: Record<string, number>;
  };
  checks: { missingIndexes: string[]; shapeDifferences: string[] };
  api: {
    startupMs: number;
    idleRssBytes: number | null;
    peakRssUnderLoadBytes: number | null;
    peakRssByPhase: Record<string, number>;
    logLines: Record<string, number>;
    /** The last warning and error lines the API logged. */
    problemLines: string[];
  };
  baselineServer: { peakRssBytes: number | null };
  scenarios: ScenarioResults;
  clusterRatios: ClusterRatios | null;
  roundTrips: RoundTripResults;
  targets: TargetResult[];
  notes: string[];
}

function ratio(ours: number | undefined, base: number | undefined): number | null {
  if (ours === undefined || base === undefined || base <= 0) return null;
  return ours / base;
}

function atLeast(measured: number | null, limit: number): boolean | null {
  return measured === null ? null : measured >= limit;
}

function atMost(measured: number | null, limit: number): boolean | null {
  return measured === null ? null : measured <= limit;
}

export function clusterRatios(scenarios: ScenarioResults): ClusterRatios | null {
  const cluster = scenarios.cluster;
  if (!cluster) return null;
  const single = scenarios.webhook;
  return {
    instances: cluster.instances,
    ackedToOneInstance: ratio(cluster.api.deliveries.rps, single?.api.deliveries.rps),
    ackedToBaseline: ratio(cluster.api.deliveries.rps, single?.baseline.deliveries.rps),
    endToEndToOneInstance: ratio(
      cluster.api.endToEndMessagesPerSec,
      single?.api.endToEndMessagesPerSec,
    ),
    endToEndToBaseline: ratio(
      cluster.api.endToEndMessagesPerSec,
      single?.baseline.endToEndMessagesPerSec,
    ),
  };
}

export function evaluateTargets(
  scenarios: ScenarioResults,
  roundTrips: RoundTripResults,
): TargetResult[] {
  const webhook = scenarios.webhook;
  const e2e = ratio(webhook?.api.endToEndMessagesPerSec, webhook?.baseline.endToEndMessagesPerSec);
  const ack = ratio(
    webhook?.api.deliveries.latencyMs.p99,
    webhook?.baseline.deliveries.latencyMs.p99,
  );
  const messages = ratio(scenarios.messages?.api.rps, scenarios.messages?.baseline.rps);
  const inbox = ratio(scenarios.inbox?.api.rps, scenarios.inbox?.baseline.rps);
  const login = ratio(scenarios.login?.api.rps, scenarios.login?.bcrypt.perSecond);
  const perMessage = roundTrips.webhookMessage?.perUnit ?? null;
  const pageReads = [roundTrips.messagePage?.perUnit, roundTrips.inboxPage?.perUnit].filter(
    (value): value is number => value !== undefined,
  );
  const perPage = pageReads.length > 0 ? Math.max(...pageReads) : null;
  return [
    {
      id: 'webhook-e2e',
      description: 'webhook end-to-end messages/s >= 0.6 x baseline',
      measured: e2e,
      limit: 0.6,
      pass: atLeast(e2e, 0.6),
    },
    {
      id: 'webhook-ack-p99',
      description: 'webhook ack p99 <= 2 x baseline p99',
      measured: ack,
      limit: 2,
      pass: atMost(ack, 2),
    },
    {
      id: 'messages-read',
      description: 'GET /v1/messages/:id req/s >= 0.6 x baseline',
      measured: messages,
      limit: 0.6,
      pass: atLeast(messages, 0.6),
    },
    {
      id: 'inbox-read',
      description: 'GET /v1/conversations/:id req/s >= 0.6 x baseline',
      measured: inbox,
      limit: 0.6,
      pass: atLeast(inbox, 0.6),
    },
    {
      id: 'login',
      description: 'POST /v1/auth/login req/s >= 0.8 x bcrypt limit',
      measured: login,
      limit: 0.8,
      pass: atLeast(login, 0.8),
    },
    {
      id: 'round-trips-webhook',
      description: 'database round trips per webhook message <= 4',
      measured: perMessage,
      limit: 4,
      pass: atMost(perMessage, 4),
    },
    {
      id: 'round-trips-page',
      description: 'database round trips per page read <= 3',
      measured: perPage,
      limit: 3,
      pass: atMost(perPage, 3),
    },
  ];
}

function fixed(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined || !Number.isFinite(value)
    ? '-'
    : value.toFixed(digits);
}

function mb(bytes: number | null | undefined): string {
  return bytes === null || bytes === undefined ? '-' : `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((width, i) => (i === 0 ? ':' : '-').padEnd(width + 1, '-') + (i === 0 ? '-' : ':')).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

function failures(result: LoadResult | undefined): string {
  if (!result) return '-';
  const parts = [
    result.non2xx > 0 ? `${result.non2xx} non-2xx` : '',
    result.errors > 0 ? `${result.errors} errors` : '',
    result.timeouts > 0 ? `${result.timeouts} timeouts` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : '0';
}

function loadRow(
  label: string,
  api: LoadResult | undefined,
  baseline: LoadResult | undefined,
  reference?: { perSecond: number },
): string[] {
  const base = baseline?.rps ?? reference?.perSecond;
  return [
    label,
    fixed(api?.rps),
    fixed(base),
    fixed(ratio(api?.rps, base), 2),
    api ? `${fixed(api.latencyMs.p50)} / ${fixed(api.latencyMs.p99)}` : '-',
    baseline ? `${fixed(baseline.latencyMs.p50)} / ${fixed(baseline.latencyMs.p99)}` : '-',
    failures(api),
  ];
}

/** The human-readable summary printed at the end of a run (Markdown tables). */
export function renderReport(report: BenchReport): string {
  const { scenarios, roundTrips, machine } = report;
  const rows: string[][] = [];
  const webhook = scenarios.webhook;
  if (webhook) {
    rows.push(
      loadRow(
        'POST /v1/webhook deliveries acked',
        webhook.api.deliveries,
        webhook.baseline.deliveries,
      ),
    );
    rows.push([
      `webhook messages end-to-end${webhook.api.drained ? '' : ' (not drained: lower bound)'}`,
      fixed(webhook.api.endToEndMessagesPerSec),
      fixed(webhook.baseline.endToEndMessagesPerSec),
      fixed(ratio(webhook.api.endToEndMessagesPerSec, webhook.baseline.endToEndMessagesPerSec), 2),
      `${webhook.api.ackedMessages} msgs in ${fixed(webhook.api.endToEndSec)} s`,
      `${webhook.baseline.ackedMessages} msgs in ${fixed(webhook.baseline.endToEndSec)} s`,
      '',
    ]);
  }
  if (scenarios.messages) {
    rows.push(
      loadRow('GET /v1/messages/:id?limit=50', scenarios.messages.api, scenarios.messages.baseline),
    );
  }
  if (scenarios.inbox) {
    rows.push(
      loadRow('GET /v1/conversations/:id?limit=20', scenarios.inbox.api, scenarios.inbox.baseline),
    );
  }
  if (scenarios.send) {
    rows.push(loadRow('POST /v1/messages/:id (send)', scenarios.send.api, undefined));
  }
  if (scenarios.login) {
    rows.push(
      loadRow(
        `POST /v1/auth/login (baseline: bcrypt ${scenarios.login.bcrypt.cost} limit)`,
        scenarios.login.api,
        undefined,
        scenarios.login.bcrypt,
      ),
    );
  }
  const clusterTable: string[] = [];
  const cluster = scenarios.cluster;
  const ratios = report.clusterRatios;
  if (cluster && ratios) {
    const single = scenarios.webhook;
    clusterTable.push(
      '',
      table(
        [
          `Webhook on ${cluster.instances} API processes`,
          `${cluster.instances} instances`,
          '1 instance',
          'ratio to 1',
          'baseline',
          'ratio to baseline',
        ],
        [
          [
            'deliveries acked req/s',
            fixed(cluster.api.deliveries.rps),
            fixed(single?.api.deliveries.rps),
            fixed(ratios.ackedToOneInstance, 2),
            fixed(single?.baseline.deliveries.rps),
            fixed(ratios.ackedToBaseline, 2),
          ],
          [
            `messages end-to-end/s${cluster.api.drained ? '' : ' (not drained: lower bound)'}`,
            fixed(cluster.api.endToEndMessagesPerSec),
            fixed(single?.api.endToEndMessagesPerSec),
            fixed(ratios.endToEndToOneInstance, 2),
            fixed(single?.baseline.endToEndMessagesPerSec),
            fixed(ratios.endToEndToBaseline, 2),
          ],
        ],
      ),
      `  ${cluster.api.ackedMessages} messages in ${fixed(cluster.api.endToEndSec)} s; ` +
        `ack p50 / p99 ${fixed(cluster.api.deliveries.latencyMs.p50)} / ${fixed(cluster.api.deliveries.latencyMs.p99)} ms; ` +
        `failures ${failures(cluster.api.deliveries)}`,
    );
  }
  const trips: [string, RoundTrips][] = [];
  for (const [label, value] of [
    ['per webhook message', roundTrips.webhookMessage],
    ['per message page read', roundTrips.messagePage],
    ['per inbox page read', roundTrips.inboxPage],
  ] as const) {
    if (value) trips.push([label, value]);
  }
  const sections = [
    `Benchmark ${report.startedAt} (${report.profile} profile, ${report.runSeconds.toFixed(0)} s)`,
    `Machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGb.toFixed(0)} GB, Node ${machine.node}, ${machine.database.version}` +
      (machine.database.scansEveryQuery ? ' (no filter pushdown: every non-_id query scans)' : ''),
    `Data: ${report.sizes.admins} admin, ${report.sizes.users} users, ${report.sizes.accounts} accounts, ` +
      `${report.sizes.conversations} conversations, ${report.sizes.seededMessages} messages; ` +
      `${report.settings.connections} connections, ${report.settings.durationSec} s per run ` +
      `(+${report.settings.warmupSec} s warm-up), bcrypt cost ${report.settings.bcryptCost}`,
    '',
    table(
      [
        'Scenario',
        'ours req/s',
        'baseline req/s',
        'ratio',
        'ours p50 / p99 ms',
        'baseline p50 / p99 ms',
        'ours failures',
      ],
      rows,
    ),
    ...clusterTable,
    '',
    table(
      ['Database round trips of the API', 'per unit', 'as counted', 'samples'],
      trips.map(([label, value]) => [
        label,
        fixed(value.perUnit, 2),
        fixed(value.grossPerUnit, 2),
        String(value.samples),
      ]),
    ),
    ...trips.map(
      ([label, value]) =>
        `  ${label}: ` +
        Object.entries(value.commands.byCommand)
          .sort(([, a], [, b]) => b - a)
          .map(([name, count]) => `${name} ${fixed(count / value.samples, 2)}`)
          .join(', '),
    ),
    '',
    table(
      ['API process', 'value'],
      [
        ['startup to first healthy GET /health-check', `${report.api.startupMs} ms`],
        ['RSS idle', mb(report.api.idleRssBytes)],
        ['RSS peak under load', mb(report.api.peakRssUnderLoadBytes)],
        ['baseline server RSS peak', mb(report.baselineServer.peakRssBytes)],
      ],
    ),
    '',
    table(
      ['Target', 'measured', 'limit', 'result'],
      report.targets.map((target) => [
        target.description,
        fixed(target.measured, 2),
        fixed(target.limit, 1),
        target.pass === null ? 'not measured' : target.pass ? 'PASS' : 'FAIL',
      ]),
    ),
  ];
  if (report.notes.length > 0) {
    sections.push('', 'Notes:', ...report.notes.map((note) => `- ${note}`));
  }
  return sections.join('\n');
}
