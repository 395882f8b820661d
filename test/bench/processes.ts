import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { childEnvironment } from '../../src/config/env';

/** Last lines a child wrote, kept to explain a crash. */
const OUTPUT_TAIL_CHARS = 8_000;
const PROBLEM_LINES = 20;
const STEP_TIMEOUT_MS = 75_000;
const PROBLEM_LINE_CHARS = 1_000;

type CleanupStep = { label: string; run: () => Promise<void> };

/**
 * Everything the benchmark started, stopped in reverse order exactly once: on success, on
 * an error, and on Ctrl-C / SIGTERM.
 */
export class Cleanup {
  private readonly steps: CleanupStep[] = [];
  private running?: Promise<void>;

  add(label: string, run: () => Promise<void>): void {
    this.steps.push({ label, run });
  }

  runAll(log: (message: string) => void): Promise<void> {
    this.running ??= (async () => {
      for (const step of [...this.steps].reverse()) {
        const started = Date.now();
        const giveUp = new AbortController();
        try {
          await Promise.race([
            step.run(),
            sleep(STEP_TIMEOUT_MS, undefined, { signal: giveUp.signal }).then(() =>
              log(`Stopping ${step.label} did not finish within ${STEP_TIMEOUT_MS} ms`),
            ),
          ]);
          const seconds = (Date.now() - started) / 1000;
          if (seconds > 2) log(`Stopping ${step.label} took ${seconds.toFixed(1)} s`);
        } catch (error) {
          log(`Stopping ${step.label} failed: ${String(error)}`);
        } finally {
          giveUp.abort();
        }
      }
    })();
    return this.running;
  }
}

export interface ManagedChild {
  label: string;
  process: ChildProcess;
  pid: number;
  /** The last few thousand characters of stdout and stderr. */
  outputTail(): string;
  /** Log lines by pino level name (trace..fatal) seen on stdout. */
  logLevels: Record<string, number>;
  /** The last few warning, error and fatal log lines (and stderr lines). */
  problemLines: string[];
  exited(): boolean;
  stop(): Promise<void>;
}

const PINO_LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

export function spawnChild(
  label: string,
  command: string,
  args: string[],
  env: Record<string, string>,
  options: { ipc?: boolean; cwd?: string; stopTimeoutMs?: number } = {},
): ManagedChild {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: childEnvironment(env),
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`Could not start ${label}`);
  let tail = '';
  let partial = '';
  const logLevels: Record<string, number> = {};
  const problemLines: string[] = [];
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
  };
  const problem = (line: string) => {
    problemLines.push(line.slice(0, PROBLEM_LINE_CHARS));
    if (problemLines.length > PROBLEM_LINES) problemLines.shift();
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    keep(chunk);
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const level = /"level":(\d+)/.exec(line)?.[1];
      const name = level ? (PINO_LEVELS[Number(level)] ?? level) : 'other';
      logLevels[name] = (logLevels[name] ?? 0) + 1;
      if (Number(level) >= 40) problem(line);
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    keep(chunk);
    for (const line of chunk.toString().split('\n')) if (line.trim()) problem(line);
  });
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    label,
    process: child,
    pid: child.pid,
    outputTail: () => tail,
    logLevels,
    problemLines,
    exited,
    stop: () => stopProcess(child, options.stopTimeoutMs ?? 10_000),
  };
}

/** SIGTERM, then SIGKILL if the process has not exited after `timeoutMs`. */
function stopProcess(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Polls `url` until it answers 200; returns the milliseconds since `startedAt`. */
export async function waitUntilHealthy(
  url: string,
  child: ManagedChild,
  startedAt: number,
  timeoutMs: number,
): Promise<number> {
  const deadline = startedAt + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exited()) {
      throw new Error(
        `${child.label} exited during startup (code ${child.process.exitCode}):\n${child.outputTail()}`,
      );
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.status === 200) return Date.now() - startedAt;
    } catch {
      await sleep(5);
      continue;
    }
    await sleep(5);
  }
  throw new Error(`${child.label} was not healthy within ${timeoutMs} ms:\n${child.outputTail()}`);
}

/** Resident set size of a process in bytes (VmRSS of /proc/<pid>/status). */
export async function readRss(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** Samples the RSS of a process while a phase runs and keeps the peak per phase. */
export class RssSampler {
  readonly peaks: Record<string, number> = {};
  private timer?: NodeJS.Timeout;
  private phase?: string;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 250,
  ) {}

  start(phase: string): void {
    this.stop();
    this.phase = phase;
    const sample = async () => {
      const rss = await readRss(this.pid);
      if (rss !== undefined && this.phase === phase) {
        this.peaks[phase] = Math.max(this.peaks[phase] ?? 0, rss);
      }
    };
    void sample();
    this.timer = setInterval(() => void sample(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.phase = undefined;
  }

  overallPeak(): number | undefined {
    const values = Object.values(this.peaks);
    return values.length > 0 ? Math.max(...values) : undefined;
  }
}
