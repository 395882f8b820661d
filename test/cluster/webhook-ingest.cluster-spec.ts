import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster, type ClusterInbox } from './cluster';
import { expectAcknowledgedStoredOnce, expectStoredExactlyOnce } from './expectations';
import {
  batchOf,
  dmsFrom,
  eventually,
  inParallel,
  randomBetween,
  rebatched,
  redeliverUnacknowledged,
  settled,
  shuffled,
  streamDeliveries,
  type DeliveryRecord,
  type SentDm,
} from './traffic';

/**
 * Three API processes (`node dist/main.js`) on one database and one Redis, webhook deliveries
 * spread across them. The tests run one after another, the one that cuts the database off last,
 * each on an Instagram account of its own.
 */
const DRAIN_TIMEOUT_MS = 120_000;
/** Redis lost: entries are found again by the inbox sweep, which waits for its grace period. */
const RECOVERY_TIMEOUT_MS = 120_000;
/** A webhook delivery is answered within this long while the database is unreachable. */
const OUTAGE_ANSWER_BOUND_MS = 5000;

let cluster: Cluster;

beforeAll(async () => {
  cluster = await Cluster.start({
    env: { WEBHOOK_SWEEP_GRACE_MS: '5000', WEBHOOK_SWEEP_INTERVAL_MS: '1000' },
  });
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
}, 60_000);

describe('Webhook ingest across three API processes', () => {
  it('stores 200 distinct DMs each delivered 100 times (identical retries and re-batched) exactly once, with one conversation per participant, exact unread counts and the newest message last', async () => {
    const inbox = await cluster.inbox();
    const dms = dmsFrom(inbox.igId, cluster.participants(20), 10, Date.now() - 3_600_000);
    // 100 deliveries of every DM: 50 rounds that cut all of them into new batches, each round
    // followed by a byte-identical redelivery of its bodies (Meta's retry of a delivery).
    const rounds = Array.from({ length: 50 }, () => {
      const bodies = rebatched(inbox.igId, dms, 20);
      return [...bodies, ...shuffled(bodies)];
    });
    const statuses = new Map<number, number>();
    for (const bodies of rounds) {
      const answers = await inParallel(bodies, 12, (body) => cluster.deliver(body));
      for (const { status } of answers) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    expect([...statuses.keys()]).toEqual([200]);
    expect(await settled(cluster.db, dms.length, DRAIN_TIMEOUT_MS)).toBe(true);
    await expectStoredExactlyOnce(cluster.db, inbox, dms);
  }, 300_000);

  it('gives 50 new participants writing at once through different instances one conversation each, with exact counts', async () => {
    const inbox = await cluster.inbox();
    const people = cluster.participants(50);
    const dms = dmsFrom(inbox.igId, people, 2, Date.now() - 60_000);
    // Each participant's two first DMs arrive at the same moment through two different
    // instances, and each DM once more through the third.
    const deliveries = dms.flatMap((dm, i) => {
      const first = i % cluster.size;
      return [
        { body: batchOf(inbox.igId, [dm]), instance: first },
        {
          body: batchOf(inbox.igId, [dm]),
          instance: (first + 1) % cluster.size,
        },
      ];
    });
    const answers = await Promise.all(
      deliveries.map(({ body, instance }) => cluster.deliver(body, instance)),
    );
    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
    expect(await settled(cluster.db, dms.length, DRAIN_TIMEOUT_MS)).toBe(true);
    await expectStoredExactlyOnce(cluster.db, inbox, dms);
  }, 180_000);
});

describe('Webhook ingest while the database is unreachable', () => {
  async function inboxWithDms(participantCount: number, perParticipant: number) {
    const inbox = await cluster.inbox();
    const people = cluster.participants(participantCount);
    return {
      inbox,
      dms: dmsFrom(inbox.igId, people, perParticipant, Date.now() - 3_600_000),
    };
  }

  async function expectEverythingOnceAfterRedelivery(
    inbox: ClusterInbox,
    dms: SentDm[],
    records: DeliveryRecord[],
  ): Promise<void> {
    await redeliverUnacknowledged((body) => cluster.deliver(body), inbox.igId, dms, records);
    expect(await settled(cluster.db, dms.length, RECOVERY_TIMEOUT_MS)).toBe(true);
    await expectStoredExactlyOnce(cluster.db, inbox, dms);
  }

  it('answers 503 while the database is cut off for 10 s, serves again afterwards without a restart and loses nothing acknowledged', async () => {
    const { inbox, dms } = await inboxWithDms(10, 20);
    const outage = { from: 0, to: 0 };
    const pids = [0, 1, 2].map((i) => cluster.apis.pid(i));
    const cut = async (records: readonly DeliveryRecord[]) => {
      await sleep(randomBetween(1000, 2000));
      outage.from = Date.now();
      cluster.cutDatabase();
      await sleep(10_000);
      cluster.restoreDatabase();
      outage.to = Date.now();
      await eventually(
        () =>
          Promise.resolve(
            records.some((record) => record.startedAt > outage.to && record.status === 200),
          ),
        60_000,
      );
    };
    const records = await streamDeliveries((body) => cluster.deliver(body), inbox.igId, dms, cut);
    // No delivery waits on the unreachable database longer than the bound...
    const slow = records.filter(
      (record) =>
        record.startedAt < outage.to &&
        record.endedAt > outage.from &&
        record.endedAt - Math.max(record.startedAt, outage.from) > OUTAGE_ANSWER_BOUND_MS,
    );
    expect(
      slow.map((record) => `${record.status} after ${record.endedAt - record.startedAt} ms`),
    ).toEqual([]);
    // ...and every one that started during the outage is refused with 503 (Meta retries it).
    const duringOutage = records.filter(
      (record) =>
        record.startedAt >= outage.from && record.startedAt < outage.to - OUTAGE_ANSWER_BOUND_MS,
    );
    expect(duringOutage.length).toBeGreaterThan(0);
    expect(
      duringOutage.filter((record) => record.status !== 503).map((record) => record.status),
    ).toEqual([]);
    expect(records.some((record) => record.startedAt > outage.to && record.status === 200)).toBe(
      true,
    );
    expect([0, 1, 2].map((i) => cluster.apis.pid(i))).toEqual(pids);
    await expectAcknowledgedStoredOnce(cluster.db, records, RECOVERY_TIMEOUT_MS);
    await expectEverythingOnceAfterRedelivery(inbox, dms, records);
  }, 300_000);
});
