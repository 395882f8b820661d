import { Types, type Model } from 'mongoose';
import { adminScope, ownerScope, systemScope } from '../common/scope/owner-scope';
import { MessagesRepository, type NewMessage } from './messages.repository';
import type { Message } from './schemas/message.schema';

const storedId = new Types.ObjectId();

function fakeModel() {
  const found: unknown[] = [];
  return {
    found,
    create: jest.fn(() => Promise.resolve({ _id: storedId })),
    insertMany: jest.fn(() => Promise.resolve([])),
    find: jest.fn((filter: unknown) => {
      found.push(filter);
      return { lean: () => ({ exec: () => Promise.resolve([]) }) };
    }),
  };
}

function repositoryOver(model: ReturnType<typeof fakeModel>): MessagesRepository {
  return new MessagesRepository(model as unknown as Model<Message>);
}

const owner = new Types.ObjectId();
const message = { owner, messageId: 'mid.1' } as unknown as NewMessage;

describe('MessagesRepository owner scope', () => {
  it('refuses to store a message of another owner in an owner scope, writing nothing', async () => {
    const model = fakeModel();
    const repository = repositoryOver(model);
    const other = ownerScope(new Types.ObjectId().toHexString());
    await expect(repository.insertIfNew(other, message)).rejects.toThrow('scope of its owner');
    await expect(repository.insertPending(other, [message])).rejects.toThrow('scope of its owner');
    expect(model.create).not.toHaveBeenCalled();
    expect(model.insertMany).not.toHaveBeenCalled();
  });

  it('stores a message in its owner’s scope and in a system scope', async () => {
    const model = fakeModel();
    const repository = repositoryOver(model);
    await expect(repository.insertIfNew(ownerScope(owner.toHexString()), message)).resolves.toBe(
      storedId,
    );
    await expect(repository.insertIfNew(systemScope('test'), message)).resolves.toBe(storedId);
    expect(model.create).toHaveBeenCalledTimes(2);
  });

  it('limits a read to the owner in an owner scope, and not in an admin scope', async () => {
    const model = fakeModel();
    const repository = repositoryOver(model);
    await repository.findByIdempotencyKeys(ownerScope(owner.toHexString()), ['client:k']);
    await repository.findByIdempotencyKeys(adminScope('admin'), ['client:k']);
    expect(model.found).toEqual([
      { owner, idempotencyKey: { $in: ['client:k'] } },
      { idempotencyKey: { $in: ['client:k'] } },
    ]);
  });
});
