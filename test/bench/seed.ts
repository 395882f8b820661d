import { hash } from 'bcrypt';
import { randomBytes, randomUUID } from 'node:crypto';
import { ObjectId, type Db, type Document } from 'mongodb';
import type { TokenCipher } from '../../src/common/crypto/token-cipher';
import { newMid } from '../../src/meta-simulator/webhook-events';
import type { DataSizes } from './options';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const BATCH_SIZE = 2_000;
const WORDS = (
  'hi hello thanks order shipping price size available today tomorrow color photo link ' +
  'please can you send me more info about the blue one is it still in stock how long ' +
  'does delivery take great perfect love it sure we will check and get back to you'
).split(' ');

export interface SeedUser {
  id: ObjectId;
  email: string;
  password: string;
  role: 'user' | 'admin';
}

export interface SeedAccount {
  id: ObjectId;
  owner: ObjectId;
  instagramBusinessId: string;
  username: string;
  /** Plaintext token, also registered in the Meta simulator. */
  accessToken: string;
}

export interface SeedConversation {
  id: ObjectId;
  owner: ObjectId;
  account: SeedAccount;
  igUserId: string;
}

/** What was stored, for the load scenarios. */
export interface SeedWorld {
  admin: SeedUser;
  users: SeedUser[];
  accounts: SeedAccount[];
  conversations: SeedConversation[];
  messageCount: number;
}

export interface SeedTiming {
  hashingMs: number;
  insertMs: number;
  documents: Record<string, number>;
}

/** Collections the benchmark writes directly, by the app's collection names. */
export const SEEDED_COLLECTIONS = {
  users: 'users',
  accounts: 'instagram_accounts',
  conversations: 'conversations',
  messages: 'messages',
} as const;

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)];
}

function sentence(minWords: number, maxWords: number): string {
  const count = minWords + Math.floor(Math.random() * (maxWords - minWords + 1));
  const words = Array.from({ length: count }, () => pick(WORDS));
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A fresh ObjectId whose embedded time is `at` (as if the document was created then). */
function objectIdAt(at: Date): ObjectId {
  const bytes = Buffer.from(new ObjectId().id);
  bytes.writeUInt32BE(Math.floor(at.getTime() / 1000), 0);
  return new ObjectId(bytes);
}

/** An Instagram-scoped user id, unique per index. */
export function participantId(index: number): string {
  return `6${String(index).padStart(15, '0')}`;
}

function businessId(index: number): string {
  return `178414${String(index).padStart(11, '0')}`;
}

/** Splits `total` messages over `slots` conversations: at least one each, the rest skewed. */
function messagesPerConversation(total: number, slots: number): number[] {
  const counts = new Array<number>(slots).fill(total >= slots ? 1 : 0);
  let remaining = total - counts.reduce((sum, n) => sum + n, 0);
  const weights = counts.map(() => -Math.log(1 - Math.random()));
  const sum = weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < slots; i++) {
    const share = Math.floor((weights[i] / sum) * remaining);
    counts[i] += share;
  }
  remaining = total - counts.reduce((a, b) => a + b, 0);
  for (let i = 0; remaining > 0; i = (i + 1) % slots, remaining--) counts[i] += 1;
  return counts;
}

export function userDocument(user: SeedUser, name: string, passwordHash: string): Document {
  const now = new Date();
  return {
    _id: user.id,
    name,
    email: user.email,
    passwordHash,
    role: user.role,
    isEmailVerified: true,
    isDisabled: false,
    createdAt: now,
    updatedAt: now,
    __v: 0,
  };
}

export function accountDocument(account: SeedAccount, cipher: TokenCipher): Document {
  const now = Date.now();
  const issued = new Date(now - DAY_MS);
  return {
    _id: account.id,
    user: account.owner,
    connectionType: 'instagram',
    instagramBusinessId: account.instagramBusinessId,
    username: account.username,
    name: `Shop ${account.username}`,
    profilePictureUrl: `https://cdn.example.com/profile/${account.instagramBusinessId}.jpg`,
    followersCount: 1000 + Math.floor(Math.random() * 50_000),
    accessToken: cipher.encrypt(account.accessToken),
    tokenExpiresAt: new Date(issued.getTime() + 60 * DAY_MS),
    tokenIssuedAt: issued,
    isActive: true,
    reconnectRequired: false,
    webhookSubscribed: true,
    removedAt: null,
    createdAt: issued,
    updatedAt: issued,
    __v: 0,
  };
}

interface GeneratedMessage {
  doc: Document;
  inbound: boolean;
  preview: string;
}

export function messageDocument(
  conversation: SeedConversation,
  timestamp: Date,
  inbound: boolean,
  isRead: boolean,
): GeneratedMessage {
  const withImage = Math.random() < 0.05;
  const text = withImage ? null : sentence(3, 30);
  const attachments = withImage
    ? [{ type: 'image', url: `https://cdn.example.com/dm/${randomUUID()}.jpg` }]
    : [];
  const stored = new Date(timestamp.getTime() + 150);
  return {
    inbound,
    preview: text ?? `[${attachments.length} attachment(s)]`,
    doc: {
      _id: objectIdAt(stored),
      conversation: conversation.id,
      instagramAccount: conversation.account.id,
      owner: conversation.owner,
      messageId: newMid(),
      sender: inbound ? 'user' : 'page',
      senderId: inbound ? conversation.igUserId : conversation.account.instagramBusinessId,
      text,
      attachments,
      timestamp,
      isRead,
      readAt: isRead ? stored : null,
      status: inbound ? 'received' : 'sent',
      error: null,
      replyTo: null,
      isDeleted: false,
      idempotencyKey: `auto:${randomUUID()}`,
      createdAt: stored,
      updatedAt: stored,
      __v: 0,
    },
  };
}

export function conversationDocument(
  conversation: SeedConversation,
  newest: GeneratedMessage | undefined,
  unreadCount: number,
  lastInboundAt: Date,
  createdAt: Date,
): Document {
  const suffix = conversation.igUserId.slice(-6);
  return {
    _id: conversation.id,
    instagramAccount: conversation.account.id,
    owner: conversation.owner,
    accountInstagramId: conversation.account.instagramBusinessId,
    igUserId: conversation.igUserId,
    igUsername: `user_${suffix}`,
    name: `User ${suffix}`,
    profilePictureUrl: `https://cdn.example.com/users/${conversation.igUserId}.jpg`,
    profileFetchedAt: new Date(),
    lastMessage: newest?.preview ?? null,
    lastMessageTimestamp: (newest?.doc.timestamp as Date | undefined) ?? null,
    lastMessageId: (newest?.doc.messageId as string | undefined) ?? null,
    unreadCount,
    lastInboundAt,
    hiddenAt: null,
    accountRemoved: false,
    visibleFrom: null,
    createdAt,
    updatedAt: new Date(),
    __v: 0,
  };
}

/**
 * One conversation's history, oldest first: the newest message is inbound (so the reply
 * window is open), the few newest inbound ones are unread.
 */
function conversationHistory(
  conversation: SeedConversation,
  count: number,
): { messages: GeneratedMessage[]; conversation: Document } {
  const newestAt = Date.now() - (60_000 + Math.random() * 12 * HOUR_MS);
  const messages: GeneratedMessage[] = [];
  const unreadTail = Math.floor(Math.random() * 4);
  let at = newestAt;
  let newestInboundRun = true;
  for (let i = 0; i < count; i++) {
    const inbound = i === 0 || Math.random() < 0.55;
    if (!inbound) newestInboundRun = false;
    const unread = inbound && newestInboundRun && i < unreadTail;
    messages.push(messageDocument(conversation, new Date(at), inbound, !unread));
    at -= 30_000 + Math.random() * 2 * HOUR_MS;
  }
  const unreadCount = messages.filter((m) => m.inbound && m.doc.isRead === false).length;
  const createdAt = new Date(at - HOUR_MS);
  messages.reverse();
  return {
    messages,
    conversation: conversationDocument(
      conversation,
      messages[messages.length - 1],
      unreadCount,
      new Date(newestAt),
      createdAt,
    ),
  };
}

/** Inserts the same documents into every database, one batch at a time. */
class BatchWriter {
  private readonly pending = new Map<string, Document[]>();
  readonly counts: Record<string, number> = {};

  constructor(private readonly dbs: Db[]) {}

  async add(collection: string, doc: Document): Promise<void> {
    const batch = this.pending.get(collection) ?? [];
    batch.push(doc);
    this.pending.set(collection, batch);
    if (batch.length >= BATCH_SIZE) await this.flush(collection);
  }

  async flush(collection?: string): Promise<void> {
    const names = collection ? [collection] : [...this.pending.keys()];
    for (const name of names) {
      const batch = this.pending.get(name) ?? [];
      if (batch.length === 0) continue;
      this.pending.set(name, []);
      await Promise.all(
        this.dbs.map((db) => db.collection(name).insertMany(batch, { ordered: false })),
      );
      this.counts[name] = (this.counts[name] ?? 0) + batch.length;
    }
  }
}

/** The people and accounts of the data set, before anything is stored. */
export function planWorld(sizes: DataSizes): Omit<SeedWorld, 'messageCount'> {
  const password = `Bench-${randomBytes(12).toString('base64url')}`;
  const admin: SeedUser = {
    id: new ObjectId(),
    email: 'bench-admin@bench.example.com',
    password,
    role: 'admin',
  };
  const users: SeedUser[] = Array.from({ length: sizes.users }, (_, i) => ({
    id: new ObjectId(),
    email: `bench-user-${i + 1}@bench.example.com`,
    password,
    role: 'user',
  }));
  const accounts: SeedAccount[] = Array.from({ length: sizes.accounts }, (_, i) => ({
    id: new ObjectId(),
    owner: users[i % users.length].id,
    instagramBusinessId: businessId(i + 1),
    username: `bench_shop_${i + 1}`,
    accessToken: `IGAA${randomBytes(48).toString('base64url')}`,
  }));
  const conversations: SeedConversation[] = Array.from({ length: sizes.conversations }, (_, i) => {
    const account = accounts[i % accounts.length];
    return { id: new ObjectId(), owner: account.owner, account, igUserId: participantId(i + 1) };
  });
  return { admin, users, accounts, conversations };
}

/**
 * Stores the planned world in every database (the API's and the baseline's) with the
 * native driver, in the documents the application itself writes.
 */
export async function seedDatabases(
  dbs: Db[],
  plan: Omit<SeedWorld, 'messageCount'>,
  sizes: DataSizes,
  cipher: TokenCipher,
  bcryptCost: number,
  log: (message: string) => void,
): Promise<{ world: SeedWorld; timing: SeedTiming }> {
  const hashingStarted = Date.now();
  const people = [plan.admin, ...plan.users];
  const hashes = await Promise.all(people.map((user) => hash(user.password, bcryptCost)));
  const hashingMs = Date.now() - hashingStarted;

  const insertStarted = Date.now();
  const writer = new BatchWriter(dbs);
  for (const [i, user] of people.entries()) {
    const name = user.role === 'admin' ? 'Bench Admin' : `Bench User ${i}`;
    await writer.add(SEEDED_COLLECTIONS.users, userDocument(user, name, hashes[i]));
  }
  for (const account of plan.accounts) {
    await writer.add(SEEDED_COLLECTIONS.accounts, accountDocument(account, cipher));
  }
  await writer.flush();
  const perConversation = messagesPerConversation(sizes.messages, plan.conversations.length);
  let messageCount = 0;
  let nextReport = 50_000;
  for (const [i, conversation] of plan.conversations.entries()) {
    const history = conversationHistory(conversation, perConversation[i]);
    await writer.add(SEEDED_COLLECTIONS.conversations, history.conversation);
    for (const message of history.messages) {
      await writer.add(SEEDED_COLLECTIONS.messages, message.doc);
    }
    messageCount += history.messages.length;
    if (messageCount >= nextReport) {
      log(`  ${messageCount} / ${sizes.messages} messages`);
      nextReport += 50_000;
    }
  }
  await writer.flush();
  return {
    world: { ...plan, messageCount },
    timing: { hashingMs, insertMs: Date.now() - insertStarted, documents: writer.counts },
  };
}
