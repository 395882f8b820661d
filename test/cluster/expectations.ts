import { ObjectId, type Db } from 'mongodb';
import type { ClusterInbox } from './cluster';
import {
  acknowledged,
  conversationsOf,
  eventually,
  storedCounts,
  unprocessedInbox,
  type DeliveryRecord,
  type SentDm,
} from './traffic';

function byParticipant(dms: SentDm[]): Map<string, SentDm[]> {
  const sent = new Map<string, SentDm[]>();
  for (const dm of dms) sent.set(dm.from, [...(sent.get(dm.from) ?? []), dm]);
  return sent;
}

/**
 * After these DMs were delivered (each any number of times, through any instance): every DM
 * is stored exactly once, nothing else is stored for the account, and each participant has
 * exactly one conversation.
 */
async function expectEachStoredOnceInOneConversation(
  db: Db,
  inbox: ClusterInbox,
  dms: SentDm[],
): Promise<void> {
  const counts = await storedCounts(
    db,
    dms.map((dm) => dm.mid),
  );
  const notOnce = dms.filter((dm) => counts.get(dm.mid) !== 1);
  expect(notOnce.map((dm) => `${dm.text}: stored ${counts.get(dm.mid) ?? 0} times`)).toEqual([]);
  expect(
    await db
      .collection('messages')
      .countDocuments({ instagramAccount: new ObjectId(inbox.accountId) }),
  ).toBe(dms.length);
  const conversations = await conversationsOf(db, inbox.igId);
  const participants = [...byParticipant(dms).keys()];
  expect(conversations.size).toBe(participants.length);
  expect(
    participants
      .filter((participant) => conversations.get(participant)?.length !== 1)
      .map((participant) => `${participant}: ${conversations.get(participant)?.length ?? 0}`),
  ).toEqual([]);
}

/**
 * {@link expectEachStoredOnceInOneConversation}, and each conversation's `unreadCount` is the
 * number of its DMs and its `lastMessage` the DM with the newest Meta timestamp.
 */
export async function expectStoredExactlyOnce(
  db: Db,
  inbox: ClusterInbox,
  dms: SentDm[],
): Promise<void> {
  await expectEachStoredOnceInOneConversation(db, inbox, dms);
  const conversations = await conversationsOf(db, inbox.igId);
  const wrong: string[] = [];
  for (const [participant, sent] of byParticipant(dms)) {
    const [conversation] = conversations.get(participant) ?? [];
    const newest = sent.reduce((a, b) => (b.timestamp > a.timestamp ? b : a));
    if (conversation.unreadCount !== sent.length) {
      wrong.push(
        `${participant}: unreadCount ${conversation.unreadCount}, expected ${sent.length}`,
      );
    }
    if (conversation.lastMessageId !== newest.mid || conversation.lastMessage !== newest.text) {
      wrong.push(
        `${participant}: lastMessage "${conversation.lastMessage}", expected "${newest.text}"`,
      );
    }
  }
  expect(wrong).toEqual([]);
}

/**
 * Every DM that some delivery got acknowledged (200) for is stored exactly once, once every
 * inbox entry is processed (waiting up to `timeoutMs` for that).
 */
export async function expectAcknowledgedStoredOnce(
  db: Db,
  records: DeliveryRecord[],
  timeoutMs: number,
): Promise<void> {
  const acked = acknowledged(records);
  expect(acked.length).toBeGreaterThan(0);
  const mids = acked.map((dm) => dm.mid);
  await eventually(
    async () =>
      (await storedCounts(db, mids)).size === mids.length && (await unprocessedInbox(db)) === 0,
    timeoutMs,
  );
  const counts = await storedCounts(db, mids);
  expect(acked.filter((dm) => counts.get(dm.mid) !== 1).map((dm) => dm.text)).toEqual([]);
}
