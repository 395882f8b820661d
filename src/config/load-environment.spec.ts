import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironment } from './load-environment';

describe('loadEnvironment', () => {
  const saved = { ...process.env };
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'igdm-env-'));
  });

  afterEach(() => {
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
  });

  function writeEnvFile(content: string): void {
    writeFileSync(join(dir, '.env'), content);
  }

  it('sets the keys of .env that the environment does not have', () => {
    writeEnvFile('LOAD_ENV_SPEC_A=from-file\n# a comment\nLOAD_ENV_SPEC_B="quoted value"\n');

    const loaded = loadEnvironment({ cwd: dir, inTests: true });

    expect(loaded).toEqual({
      path: join(dir, '.env'),
      applied: ['LOAD_ENV_SPEC_A', 'LOAD_ENV_SPEC_B'],
    });
    expect(process.env.LOAD_ENV_SPEC_A).toBe('from-file');
    expect(process.env.LOAD_ENV_SPEC_B).toBe('quoted value');
  });

  it('never overrides a variable set in the real environment, even an empty one', () => {
    process.env.LOAD_ENV_SPEC_A = 'from-environment';
    process.env.LOAD_ENV_SPEC_B = '';
    writeEnvFile('LOAD_ENV_SPEC_A=from-file\nLOAD_ENV_SPEC_B=from-file\nLOAD_ENV_SPEC_C=new\n');

    const loaded = loadEnvironment({ cwd: dir, inTests: true });

    expect(loaded?.applied).toEqual(['LOAD_ENV_SPEC_C']);
    expect(process.env.LOAD_ENV_SPEC_A).toBe('from-environment');
    expect(process.env.LOAD_ENV_SPEC_B).toBe('');
  });

  it('ignores .env under NODE_ENV=test unless asked to read it', () => {
    writeEnvFile('LOAD_ENV_SPEC_A=from-file\n');

    expect(loadEnvironment({ cwd: dir })).toBeUndefined();
    expect(process.env.LOAD_ENV_SPEC_A).toBeUndefined();
  });

  it('reads .env outside tests', () => {
    process.env.NODE_ENV = 'development';
    writeEnvFile('LOAD_ENV_SPEC_A=from-file\n');

    expect(loadEnvironment({ cwd: dir })?.applied).toEqual(['LOAD_ENV_SPEC_A']);
  });

  it('does nothing when there is no .env', () => {
    expect(loadEnvironment({ cwd: dir, inTests: true })).toBeUndefined();
  });
});
