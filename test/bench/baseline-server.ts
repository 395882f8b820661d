/**
 * The physical limit of this stack for the benchmark: a bare `node:http` server on the native
 * `mongodb` driver doing the database work of the API's webhook, message-page and inbox
 * routes against the same documents and indexes. No framework, no validation, no logging,
 * and the bearer token is only decoded (its signature is not verified).
 *
 * Usage: baseline-server --mongo-url mongodb://host:port/db --port N --app-secret S
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import { MongoClient, ObjectId, type Document, type Filter } from 'mongodb';

const { values } = parseArgs({
  options: {
    'mongo-url': { type: 'string' },
    port: { type: 'string' },
    'app-secret': { type: 'string' },
  },
});
const mongoUrl = values['mongo-url'];
const appSecret = values['app-secret'];
if (!mongoUrl || !appSecret || !values.port) {
  throw new Error('baseline-server needs --mongo-url, --port and --app-secret');
}

const client = new MongoClient(mongoUrl);
const db = client.db();
const accounts = db.collection('instagram_accounts');
const conversations = db.collection('conversations');
const messages = db.collection('messages');

const OBJECT_ID = /^[0-9a-f]{24}$/;
const WINDOW_MS = 24 * 60 * 60 * 1000;
const NO_TOKEN = { projection: { accessToken: 0 } };

interface AccountRef {
  _id: ObjectId;
  user: ObjectId;
  instagramBusinessId: string;
}

/** Accounts by Meta id (webhooks), cached for a few seconds like the API caches them. */
const ACCOUNT_CACHE_MS = 5_000;
const accountCache = new Map<string, { account: Promise<AccountRef | null>; expires: number }>();

function accountForMetaId(metaId: string): Promise<AccountRef | null> {
  const now = Date.now();
  const hit = accountCache.get(metaId);
  if (hit && hit.expires > now) return hit.account;
  const account = accounts.findOne<AccountRef>(
    { removedAt: null, $or: [{ instagramBusinessId: metaId }, { pageId: metaId }] },
    NO_TOKEN,
  );
  accountCache.set(metaId, { account, expires: now + ACCOUNT_CACHE_MS });
  return account;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain' : 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function validSignature(raw: Buffer, header: string | string[] | undefined): boolean {
  const match = typeof header === 'string' ? /^sha256=([0-9a-f]{64})$/i.exec(header) : null;
  if (!match) return false;
  const expected = createHmac('sha256', appSecret as string)
    .update(raw)
    .digest();
  return timingSafeEqual(expected, Buffer.from(match[1], 'hex'));
}

/** The `sub` of the bearer token, decoded without verifying the signature. */
function callerId(req: IncomingMessage): ObjectId | null {
  const token = /^Bearer\s+(\S+)$/.exec(req.headers.authorization ?? '')?.[1];
  const payload = token?.split('.')[1];
  if (!payload) return null;
  const sub = (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { sub?: unknown }).sub;
  return typeof sub === 'string' && OBJECT_ID.test(sub) ? new ObjectId(sub) : null;
}

function cursor(timestamp: Date, id: ObjectId): string {
  return Buffer.from(`${timestamp.toISOString()}_${String(id)}`).toString('base64url');
}

interface InboundMessage {
  accountMetaId: string;
  participantId: string;
  mid: string;
  timestamp: Date;
  text: string | null;
  attachments: { type: string; url: string | null }[];
}

function inboundMessages(payload: Document): InboundMessage[] {
  const found: InboundMessage[] = [];
  for (const entry of (payload.entry as Document[] | undefined) ?? []) {
    const events = [
      ...((entry.messaging as Document[] | undefined) ?? []),
      ...((entry.standby as Document[] | undefined) ?? []),
    ];
    for (const event of events) {
      const message = event.message as Document | undefined;
      if (!message || message.is_echo || message.is_deleted) continue;
      found.push({
        accountMetaId: String(entry.id),
        participantId: String((event.sender as Document).id),
        mid: String(message.mid),
        timestamp: new Date(Number(event.timestamp)),
        text: typeof message.text === 'string' ? message.text : null,
        attachments: ((message.attachments as Document[] | undefined) ?? []).map((a) => ({
          type: String(a.type),
          url: typeof a.payload?.url === 'string' ? (a.payload.url as string) : null,
        })),
      });
    }
  }
  return found;
}

async function storeInbound(message: InboundMessage): Promise<void> {
  const account = await accountForMetaId(message.accountMetaId);
  if (!account) return;
  const now = new Date();
  const preview =
    message.text !== null
      ? Array.from(message.text).slice(0, 500).join('')
      : `[${message.attachments.length} attachment(s)]`;
  const participant = { instagramAccount: account._id, igUserId: message.participantId };
  let conversation: Document | null;
  try {
    conversation = await conversations.findOneAndUpdate(
      {
        ...participant,
        $or: [
          { lastMessageTimestamp: null },
          { lastMessageTimestamp: { $lt: message.timestamp } },
          { lastMessageTimestamp: message.timestamp, lastMessageId: { $lt: message.mid } },
        ],
      },
      {
        $set: {
          lastMessage: preview,
          lastMessageTimestamp: message.timestamp,
          lastMessageId: message.mid,
          hiddenAt: null,
          updatedAt: now,
        },
        $inc: { unreadCount: 1 },
        $max: { lastInboundAt: message.timestamp },
        $setOnInsert: {
          owner: account.user,
          accountInstagramId: account.instagramBusinessId,
          igUsername: null,
          name: null,
          profilePictureUrl: null,
          profileFetchedAt: null,
          accountRemoved: false,
          visibleFrom: null,
          createdAt: now,
          __v: 0,
        },
      },
      { upsert: true, returnDocument: 'after' },
    );
  } catch (error) {
    if ((error as { code?: unknown }).code !== 11000) throw error;
    conversation = await conversations.findOne(participant);
  }
  if (!conversation) return;
  try {
    await messages.insertOne({
      _id: new ObjectId(),
      conversation: conversation._id as ObjectId,
      instagramAccount: account._id,
      owner: conversation.owner as ObjectId,
      messageId: message.mid,
      sender: 'user',
      senderId: message.participantId,
      text: message.text,
      attachments: message.attachments,
      timestamp: message.timestamp,
      isRead: false,
      readAt: null,
      status: 'received',
      error: null,
      replyTo: null,
      isDeleted: false,
      idempotencyKey: `auto:${randomUUID()}`,
      createdAt: now,
      updatedAt: now,
      __v: 0,
    });
  } catch (error) {
    if ((error as { code?: unknown }).code !== 11000) throw error;
  }
}

async function webhook(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = await readBody(req);
  if (!validSignature(raw, req.headers['x-hub-signature-256'])) {
    send(res, 401, { error: { code: 401, message: 'Invalid signature' } });
    return;
  }
  const byConversation = new Map<string, InboundMessage[]>();
  for (const message of inboundMessages(JSON.parse(raw.toString('utf8')) as Document)) {
    const key = `${message.accountMetaId}:${message.participantId}`;
    byConversation.set(key, [...(byConversation.get(key) ?? []), message]);
  }
  await Promise.all(
    [...byConversation.values()].map(async (sequence) => {
      for (const message of sequence) await storeInbound(message);
    }),
  );
  send(res, 200, 'EVENT_RECEIVED');
}

function pageOf(url: URL, fallback: number): { limit: number; skip: number } {
  return {
    limit: Number(url.searchParams.get('limit') ?? fallback),
    skip: Number(url.searchParams.get('skip') ?? 0),
  };
}

async function messagePage(
  owner: ObjectId,
  conversationId: string,
  url: URL,
  res: ServerResponse,
): Promise<void> {
  const conversation = await conversations.findOne({
    _id: new ObjectId(conversationId),
    owner,
    hiddenAt: null,
    accountRemoved: { $ne: true },
  });
  if (!conversation) {
    send(res, 404, { error: { code: 404, message: 'Conversation not found' } });
    return;
  }
  const { limit, skip } = pageOf(url, 50);
  const filter: Filter<Document> = {
    conversation: conversation._id,
    ...(conversation.visibleFrom ? { timestamp: { $gte: conversation.visibleFrom as Date } } : {}),
  };
  const [items, total] = await Promise.all([
    messages
      .find(filter, { projection: { owner: 0, idempotencyKey: 0, __v: 0 } })
      .sort({ timestamp: -1, _id: -1 })
      .skip(skip)
      .limit(limit + 1)
      .toArray(),
    messages.countDocuments(filter),
  ]);
  const page = items.slice(0, limit);
  const last = page[page.length - 1];
  send(res, 200, {
    messages: page.map((m) => ({
      id: String(m._id),
      conversation: String(m.conversation),
      instagramAccount: String(m.instagramAccount),
      messageId: String(m.messageId).startsWith('local:') ? null : m.messageId,
      sender: m.sender,
      senderId: m.senderId,
      text: m.text ?? null,
      attachments: m.attachments ?? [],
      timestamp: m.timestamp,
      isRead: m.isRead ?? false,
      status: m.status,
      error: m.error ?? null,
      replyTo: m.replyTo ?? null,
      reactions: [],
      isDeleted: m.isDeleted ?? false,
      metadata: m.metadata ?? {},
      createdAt: m.createdAt,
      updatedAt: m.updatedAt,
    })),
    total,
    limit,
    skip,
    nextCursor: items.length > limit && last ? cursor(last.timestamp as Date, last._id) : null,
  });
}

async function inboxPage(
  owner: ObjectId,
  accountId: string,
  url: URL,
  res: ServerResponse,
): Promise<void> {
  const account = await accounts.findOne(
    { _id: new ObjectId(accountId), removedAt: null, user: owner },
    NO_TOKEN,
  );
  if (!account) {
    send(res, 404, { error: { code: 404, message: 'Instagram account not found' } });
    return;
  }
  const { limit, skip } = pageOf(url, 20);
  const filter = { instagramAccount: account._id, hiddenAt: null };
  const [items, total] = await Promise.all([
    conversations
      .find(filter)
      .sort({ lastMessageTimestamp: -1, _id: -1 })
      .skip(skip)
      .limit(limit + 1)
      .toArray(),
    conversations.countDocuments(filter),
  ]);
  const page = items.slice(0, limit);
  const last = page[page.length - 1];
  const now = Date.now();
  send(res, 200, {
    conversations: page.map((c) => {
      const expires = c.lastInboundAt ? (c.lastInboundAt as Date).getTime() + WINDOW_MS : null;
      return {
        id: String(c._id),
        instagramAccount: String(c.instagramAccount),
        igUserId: c.igUserId,
        igUsername: c.igUsername ?? null,
        name: c.name ?? null,
        profilePictureUrl: c.profilePictureUrl ?? null,
        lastMessage: c.lastMessage ?? null,
        lastMessageTimestamp: c.lastMessageTimestamp ?? null,
        unreadCount: c.unreadCount ?? 0,
        isActive: !c.hiddenAt,
        canReply: expires !== null && expires > now,
        windowExpiresAt: expires !== null && expires > now ? new Date(expires) : null,
        createdAt: c.createdAt,
        updatedAt: c.updatedAt,
      };
    }),
    total,
    limit,
    skip,
    nextCursor:
      items.length > limit && last
        ? cursor((last.lastMessageTimestamp ?? last.createdAt) as Date, last._id)
        : null,
  });
}

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://baseline');
  if (req.method === 'GET' && url.pathname === '/health') {
    send(res, 200, 'OK');
    return;
  }
  if (req.method === 'POST' && url.pathname === '/v1/webhook') {
    await webhook(req, res);
    return;
  }
  const read = /^\/v1\/(messages|conversations)\/([^/]+)$/.exec(url.pathname);
  if (req.method !== 'GET' || !read) {
    send(res, 404, { error: { code: 404, message: 'Not found' } });
    return;
  }
  const owner = callerId(req);
  if (!owner) {
    send(res, 401, { error: { code: 401, message: 'Unauthorized' } });
    return;
  }
  if (!OBJECT_ID.test(read[2])) {
    send(res, 400, { error: { code: 400, message: 'Invalid id' } });
    return;
  }
  if (read[1] === 'messages') await messagePage(owner, read[2], url, res);
  else await inboxPage(owner, read[2], url, res);
}

const server = createServer((req, res) => {
  route(req, res).catch((error: unknown) => {
    if (!res.headersSent) send(res, 500, { error: { code: 500, message: String(error) } });
  });
});

async function main(): Promise<void> {
  await client.connect();
  await new Promise<void>((resolve) => server.listen(Number(values.port), '127.0.0.1', resolve));
  const stop = () => {
    server.close();
    server.closeAllConnections();
    client.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
