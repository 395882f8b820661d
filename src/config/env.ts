import { Logger } from '@nestjs/common';

/**
 * The only reader of `process.env` in the project. Every config namespace reads
 * its keys through an {@link EnvReader}, which collects every problem so a bad
 * environment is reported in one message naming each key.
 */
export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

const logger = new Logger('Config');
const warned = new Set<string>();

export function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  logger.warn(message);
}

export function rawEnv(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function isProductionEnv(): boolean {
  return rawEnv('NODE_ENV') === 'production';
}

export function isTestEnv(): boolean {
  return rawEnv('NODE_ENV') === 'test';
}

export class EnvReader {
  private readonly problems: string[] = [];

  string(name: string, fallback: string): string;
  string(name: string): string | undefined;
  string(name: string, fallback?: string): string | undefined {
    return rawEnv(name) ?? fallback;
  }

  int(name: string, fallback: number, bounds: { min?: number; max?: number } = {}): number {
    const raw = rawEnv(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value)) {
      this.problems.push(`${name} must be an integer (got "${raw}")`);
      return fallback;
    }
    if (bounds.min !== undefined && value < bounds.min) {
      this.problems.push(`${name} must be >= ${bounds.min} (got ${value})`);
    }
    if (bounds.max !== undefined && value > bounds.max) {
      this.problems.push(`${name} must be <= ${bounds.max} (got ${value})`);
    }
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = rawEnv(name);
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes'].includes(raw.toLowerCase())) return true;
    if (['false', '0', 'no'].includes(raw.toLowerCase())) return false;
    this.problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = rawEnv(name);
    if (raw === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return raw as T;
  }

  url(name: string, fallback?: string): string | undefined {
    const value = rawEnv(name) ?? fallback;
    if (value === undefined) return undefined;
    try {
      new URL(value);
    } catch {
      this.problems.push(`${name} must be a URL (got "${value}")`);
    }
    return value.replace(/\/+$/, '');
  }

  /**
   * A secret: required, non-default and at least `minLength` characters in
   * production; in development the default is used with a warning.
   */
  secret(name: string, developmentDefault: string, minLength = 32): string {
    const raw = rawEnv(name);
    if (isProductionEnv()) {
      if (raw === undefined) this.problems.push(`${name} is required in production`);
      else if (raw === developmentDefault || /change[-_ ]?(this|me)/i.test(raw)) {
        this.problems.push(`${name} must not be a default or example value in production`);
      } else if (raw.length < minLength) {
        this.problems.push(`${name} must be at least ${minLength} characters in production`);
      }
      return raw ?? developmentDefault;
    }
    if (raw === undefined) {
      if (!isTestEnv()) {
        warnOnce(
          `${name} is not set: using an insecure development default. Never do this in production.`,
        );
      }
      return developmentDefault;
    }
    return raw;
  }

  problem(message: string): void {
    this.problems.push(message);
  }

  /** Throws one error naming every problem found so far. */
  done<T>(value: T): T {
    if (this.problems.length > 0) throw new ConfigValidationError(this.problems);
    return value;
  }
}

/** The environment for a child process: this one's plus the given overrides. */
export function childEnvironment(overrides: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, ...overrides };
}
