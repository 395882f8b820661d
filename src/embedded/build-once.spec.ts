import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildOnce, isExecutable } from './child-processes';

describe('buildOnce', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'build-once-'));
  });

  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('builds once when several callers ask at the same time, and returns the target to all', async () => {
    const target = join(dir, 'tool');
    let builds = 0;
    const build = async () => {
      builds++;
      await sleep(200);
      await writeFile(target, '#!/bin/sh\n');
      await chmod(target, 0o755);
    };
    const results = await Promise.all([1, 2, 3].map(() => buildOnce(target, dir, 60_000, build)));
    expect(results).toEqual([target, target, target]);
    expect(builds).toBe(1);
    expect(isExecutable(target)).toBe(true);
  });

  it('releases the lock when a build fails, so the next caller builds at once', async () => {
    const target = join(dir, 'tool');
    await expect(
      buildOnce(target, dir, 60_000, () => Promise.reject(new Error('no compiler'))),
    ).rejects.toThrow('no compiler');
    const build = jest.fn(async () => {
      await writeFile(target, '#!/bin/sh\n');
      await chmod(target, 0o755);
    });
    await expect(buildOnce(target, dir, 60_000, build)).resolves.toBe(target);
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('does not build what is already there', async () => {
    const target = join(dir, 'tool');
    await writeFile(target, '#!/bin/sh\n');
    await chmod(target, 0o755);
    const build = jest.fn(() => Promise.resolve());
    await expect(buildOnce(target, dir, 60_000, build)).resolves.toBe(target);
    expect(build).not.toHaveBeenCalled();
  });
});
