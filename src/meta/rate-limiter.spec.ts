import { RateLimiter } from './rate-limiter';

function clockAt(start = 1_000_000) {
  const clock = { now: start };
  return { clock, read: () => clock.now };
}

describe('RateLimiter', () => {
  it('lets a burst of one second worth of calls through without waiting', () => {
    const { read } = clockAt();
    const limiter = new RateLimiter(5, read);
    const delays = Array.from({ length: 5 }, () => limiter.reserve('account-1'));
    expect(delays).toEqual([0, 0, 0, 0, 0]);
  });

  it('delays calls over the rate to evenly spaced later slots instead of dropping them', () => {
    const { read } = clockAt();
    const limiter = new RateLimiter(2, read);
    limiter.reserve('a');
    limiter.reserve('a');
    expect([limiter.reserve('a'), limiter.reserve('a'), limiter.reserve('a')]).toEqual([
      500, 1000, 1500,
    ]);
  });

  it('refills over time', () => {
    const { clock, read } = clockAt();
    const limiter = new RateLimiter(2, read);
    limiter.reserve('a');
    limiter.reserve('a');
    clock.now += 500;
    expect(limiter.reserve('a')).toBe(0);
    expect(limiter.reserve('a')).toBe(500);
  });

  it('paces each key independently', () => {
    const { read } = clockAt();
    const limiter = new RateLimiter(1, read);
    expect(limiter.reserve('a')).toBe(0);
    expect(limiter.reserve('b')).toBe(0);
    expect(limiter.reserve('a')).toBe(1000);
  });

  it('forgets idle keys once many are tracked', () => {
    const { clock, read } = clockAt();
    const limiter = new RateLimiter(1, read);
    for (let i = 0; i < 1000; i++) limiter.reserve(`key-${i}`);
    clock.now += 5000;
    limiter.reserve('fresh');
    expect(limiter.size).toBe(1);
  });

  it('resolves acquire immediately while under the rate', async () => {
    const limiter = new RateLimiter(100);
    await expect(limiter.acquire('a')).resolves.toBeUndefined();
  });

  it('rejects a non-positive rate', () => {
    expect(() => new RateLimiter(0)).toThrow(RangeError);
  });
});
