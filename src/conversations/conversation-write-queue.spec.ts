import { ConversationWriteQueue } from './conversation-write-queue';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('ConversationWriteQueue', () => {
  it('runs tasks of one key one after another, in submission order', async () => {
    const queue = new ConversationWriteQueue();
    const gate = deferred();
    const order: string[] = [];
    const first = queue.run('a', async () => {
      await gate.promise;
      order.push('first');
    });
    const second = queue.run('a', () => {
      order.push('second');
      return Promise.resolve();
    });
    await Promise.resolve();
    expect(order).toEqual([]);
    gate.resolve();
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
  });

  it('runs tasks of different keys independently', async () => {
    const queue = new ConversationWriteQueue();
    const gate = deferred();
    const blocked = queue.run('a', () => gate.promise);
    await expect(queue.run('b', () => Promise.resolve('b done'))).resolves.toBe('b done');
    gate.resolve();
    await blocked;
  });

  it('keeps running later tasks after one fails', async () => {
    const queue = new ConversationWriteQueue();
    const failing = queue.run('a', () => Promise.reject(new Error('boom')));
    const next = queue.run('a', () => Promise.resolve(42));
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe(42);
  });
});
