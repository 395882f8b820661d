import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChangeBus } from '../src/redis/change-bus';
import { ClusterLock, LockBusyError } from '../src/redis/cluster-lock';
import { Pacer, PaceExceededError } from '../src/redis/pacer';
import { RedisConnections } from '../src/redis/redis-connections';

/** One "instance": its own connections, lock, pacer and bus on the run's Redis. */
function instance(prefix: string) {
  const redis = new RedisConnections(process.env.TEST_REDIS_BASE_URL as string, { prefix });
  return {
    redis,
    lock: new ClusterLock(redis),
    pacer: new Pacer(redis),
    bus: new ChangeBus(redis),
  };
}

describe('Redis primitives shared by every instance', () => {
  const prefix = `t_redis_${randomBytes(4).toString('hex')}`;
  const a = instance(prefix);
  const b = instance(prefix);

  beforeAll(() => Promise.all([a.redis.onModuleInit(), b.redis.onModuleInit()]));

  afterAll(async () => {
    await Promise.all([a.bus.onApplicationShutdown(), b.bus.onApplicationShutdown()]);
    await Promise.all([a.redis.onApplicationShutdown(), b.redis.onApplicationShutdown()]);
  });

  describe('ClusterLock', () => {
    it('never lets two instances run the same name at once, and hands out growing tokens', async () => {
      let inside = 0;
      let most = 0;
      const tokens: number[] = [];
      const work = (lock: ClusterLock) =>
        lock.run('conversation:x', async (lease) => {
          inside++;
          most = Math.max(most, inside);
          tokens.push(lease.token);
          await sleep(5);
          inside--;
        });
      await Promise.all(Array.from({ length: 20 }, (_, i) => work(i % 2 === 0 ? a.lock : b.lock)));
      expect(most).toBe(1);
      expect(tokens).toHaveLength(20);
      expect([...tokens].sort((x, y) => x - y)).toEqual(tokens);
    });

    it('hands out a larger token after Redis lost the lock and its counter', async () => {
      const before = await a.lock.run('conversation:lost', (lease) => Promise.resolve(lease.token));
      const keys = await a.redis.commands.keys(`${a.redis.key('*', 'conversation:lost')}`);
      expect(keys.length).toBeGreaterThan(0);
      await a.redis.commands.del(...keys);
      const after = await b.lock.run('conversation:lost', (lease) => Promise.resolve(lease.token));
      expect(after).toBeGreaterThan(before);
      expect(Number.isSafeInteger(after)).toBe(true);
    });

    it('tells a holder when no acquisition of the name was remembered: the first one, or after Redis lost its data', async () => {
      const fresh = (lock: ClusterLock) =>
        lock.run('conversation:fresh', (lease) => Promise.resolve(lease.fresh));
      expect(await fresh(a.lock)).toBe(true);
      expect(await fresh(b.lock)).toBe(false);
      const keys = await a.redis.commands.keys(`${a.redis.key('*', 'conversation:fresh')}`);
      await a.redis.commands.del(...keys);
      expect(await fresh(b.lock)).toBe(true);
    });

    it('stops holding by its own clock when no renewal succeeded for the length of the lease', async () => {
      const held = await a.lock.run(
        'unrenewable',
        async (lease) => {
          // Every renewal is refused from now on, as when Redis cannot be reached.
          const commands = a.redis.commands;
          const evaluate = commands.eval.bind(commands);
          commands.eval = () => Promise.reject(new Error('unreachable'));
          try {
            await sleep(300);
            return lease.held();
          } finally {
            commands.eval = evaluate;
          }
        },
        { leaseMs: 150 },
      );
      expect(held).toBe(false);
    });

    it('runs different names in parallel', async () => {
      let inside = 0;
      let most = 0;
      await Promise.all(
        ['p', 'q', 'r'].map((name) =>
          a.lock.run(name, async () => {
            inside++;
            most = Math.max(most, inside);
            await sleep(50);
            inside--;
          }),
        ),
      );
      expect(most).toBe(3);
    });

    it('gives up with a 503 after the wait bound, and writes nothing of its own', async () => {
      let ran = false;
      const holder = a.lock.run('busy', () => sleep(300));
      await sleep(20);
      await expect(
        b.lock.run(
          'busy',
          () => {
            ran = true;
            return Promise.resolve();
          },
          { waitMs: 50 },
        ),
      ).rejects.toBeInstanceOf(LockBusyError);
      await holder;
      expect(ran).toBe(false);
    });

    it('tells the next holder when the previous one never released (it died mid-work)', async () => {
      const name = 'crashy';
      // A holder whose process "dies": its lease simply expires.
      await a.redis.commands.set(a.redis.key('lock', name), '999', 'PX', 50);
      await a.redis.commands.set(a.redis.key('lock-unclean', name), '999', 'PX', 60_000);
      const first = await b.lock.run(name, (lease) => Promise.resolve(lease.inheritedUnclean));
      const second = await b.lock.run(name, (lease) => Promise.resolve(lease.inheritedUnclean));
      expect(first).toBe(true);
      expect(second).toBe(false);
    });

    it('renews the lease while the work runs longer than the lease', async () => {
      const held = await a.lock.run(
        'long',
        async (lease) => {
          await sleep(400);
          return lease.held();
        },
        { leaseMs: 150 },
      );
      expect(held).toBe(true);
    });
  });

  describe('Pacer', () => {
    it('allows a burst, then spaces calls evenly, across instances', async () => {
      const pace = { limit: 10, periodMs: 1000, burst: 2 };
      // Each slot lies between (call start + wait) and (call end + wait): compared that way, the
      // spacing (the third call 100 ms after the first, then every 100 ms) does not depend on how
      // long the calls themselves take on a busy machine.
      const slots: { earliest: number; latest: number }[] = [];
      const waits: number[] = [];
      for (let i = 0; i < 6; i++) {
        const before = Date.now();
        const wait = await (i % 2 === 0 ? a.pacer : b.pacer).reserve('meta:send:1', pace);
        waits.push(wait);
        slots.push({ earliest: before + wait, latest: Date.now() + wait });
      }
      expect(waits[1]).toBe(0);
      for (let i = 2; i < 6; i++) {
        expect(waits[i]).toBeGreaterThan(0);
        expect(slots[i].latest - slots[0].earliest).toBeGreaterThanOrEqual((i - 1) * 100);
        expect(slots[i].earliest - slots[0].latest).toBeLessThanOrEqual((i - 1) * 100);
      }
    });

    it('refuses to reserve a slot further away than the caller accepts', async () => {
      const pace = { limit: 1, periodMs: 60_000 };
      await a.pacer.reserve('meta:private:1', pace);
      await expect(b.pacer.reserve('meta:private:1', pace, 1000)).rejects.toBeInstanceOf(
        PaceExceededError,
      );
      // Nothing was reserved by the refusal: the next slot is still one minute away, not two.
      const wait = await b.pacer.reserve('meta:private:1', pace);
      expect(wait).toBeLessThanOrEqual(60_000);
      expect(wait).toBeGreaterThan(58_000);
    });
  });

  describe('ChangeBus', () => {
    it('runs handlers here at once and on the other instance through pub/sub', async () => {
      await Promise.all([a.bus.onApplicationBootstrap(), b.bus.onApplicationBootstrap()]);
      const seenA: string[] = [];
      const seenB: string[] = [];
      a.bus.on('user.changed', (payload) => seenA.push(payload));
      b.bus.on('user.changed', (payload) => seenB.push(payload));
      await a.bus.publish('user.changed', 'u1');
      expect(seenA).toEqual(['u1']);
      const deadline = Date.now() + 1000;
      while (seenB.length === 0 && Date.now() < deadline) await sleep(10);
      expect(seenB).toEqual(['u1']);
      expect(seenA).toEqual(['u1']);
    });
  });
});
