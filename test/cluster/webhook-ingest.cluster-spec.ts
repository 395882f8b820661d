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
 * spread across them. The tests run one after another, those that break a process, Redis or
 * the database last, each on an Instagram account of its own.
 */
const DRAIN_TIMEOUT_MS = 120_000;
/** Redis lost: entries are found again by the inbox sweep, which waits for its grace period. */
const RECOVERY_TIMEOUT_MS = 120_000;
/** A webhook delivery is answered within this long while the database is unreachable. */
const OUTAGE_ANSWER_BOUND_MS = 5000;

/** The message ids a webhook body carries. */
function midsOf(body: unknown): string[] {
  const { entry } = body as { entry: { messaging?: { message?: { mid?: string } }[] }[] };
  return entry.flatMap((e) => (e.messaging ?? []).map((event) => event.message?.mid ?? ''));
}

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
    const statuses = new Set<number>();
    const acked = new Set<string>();
    for (const bodies of rounds) {
      const answers = await inParallel(bodies, 12, (body) => cluster.deliver(body));
      answers.forEach(({ status }, i) => {
        statuses.add(status);
        if (status === 200) for (const mid of midsOf(bodies[i])) acked.add(mid);
      });
    }
    // 503 is "try again" (a store slower than the bound on this busy machine); Meta retries it.
    expect([...statuses].filter((status) => status !== 200 && status !== 503)).toEqual([]);
    expect(dms.filter((dm) => !acked.has(dm.mid)).map((dm) => dm.text)).toEqual([]);
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
        { dm, instance: first },
        { dm, instance: (first + 1) % cluster.size },
      ];
    });
    const answers = await Promise.all(
      deliveries.map(async ({ dm, instance }) => {
        const startedAt = Date.now();
        const answer = await cluster.deliver(batchOf(inbox.igId, [dm]), instance);
        return { dm, ...answer, startedAt, endedAt: Date.now() };
      }),
    );
    // 503 is "try again" (a store slower than the bound on this busy machine); Meta retries it.
    expect(answers.filter((answer) => answer.status !== 200 && answer.status !== 503)).toEqual([]);
    await redeliverUnacknowledged((body) => cluster.deliver(body), inbox.igId, dms, answers);
    expect(await settled(cluster.db, dms.length, DRAIN_TIMEOUT_MS)).toBe(true);
    await expectStoredExactlyOnce(cluster.db, inbox, dms);
  }, 180_000);
});

describe('Webhook ingest while an API process, Redis or the database fails', () => {
  async function inboxWithDms(participantCount: number, perParticipant: number) {
    const inbox = await cluster.inbox();
    const people = cluster.participants(participantCount);
    return {
      inbox,
      dms: dmsFrom(inbox.igId, people, perParticipant, Date.now() - 3_600_000),
    };
  }

  /**
   * Meta redelivers what was not acknowledged; then every DM is stored once, and each
   * conversation's unread count and newest message are exact.
   */
  async function expectEverythingOnceAfterRedelivery(
    inbox: ClusterInbox,
    dms: SentDm[],
    records: DeliveryRecord[],
  ): Promise<void> {
    await redeliverUnacknowledged((body) => cluster.deliver(body), inbox.igId, dms, records);
    expect(await settled(cluster.db, dms.length, RECOVERY_TIMEOUT_MS)).toBe(true);
    await expectStoredExactlyOnce(cluster.db, inbox, dms);
  }

  it('stores every acknowledged delivery exactly once, with exact unread counts and the newest message last, while one instance after another is killed with SIGKILL (5 times, at random moments)', async () => {
    const { inbox, dms } = await inboxWithDms(20, 15);
    // A killed instance restarts while the stream goes on; the next kill may come before it
    // is back, as long as one instance stays up.
    const kills = async () => {
      const restarting = new Map<number, Promise<void>>();
      for (let i = 0; i < 5; i++) {
        await sleep(randomBetween(300, 2500));
        while (restarting.size >= cluster.size - 1) await Promise.race(restarting.values());
        const up = [...Array(cluster.size).keys()].filter((n) => !restarting.has(n));
        const victim = up[Math.floor(Math.random() * up.length)];
        await cluster.apis.kill(victim);
        restarting.set(
          victim,
          cluster.apis.restart(victim).finally(() => restarting.delete(victim)),
        );
      }
      await Promise.all(restarting.values());
    };
    const records = await streamDeliveries((body) => cluster.deliver(body), inbox.igId, dms, kills);
    expect(records.some((record) => record.status === 0)).toBe(true);
    await expectAcknowledgedStoredOnce(cluster.db, records, RECOVERY_TIMEOUT_MS);
    await expectEverythingOnceAfterRedelivery(inbox, dms, records);
  }, 300_000);

  it('loses nothing acknowledged and keeps exact counts when Redis restarts empty mid-stream, in conversations that keep writing and in those that go quiet', async () => {
    const { inbox, dms } = await inboxWithDms(10, 20);
    const people = [...new Set(dms.map((dm) => dm.from))];
    // Half the participants write only until Redis goes down: no later delivery re-enqueues
    // their conversations, only the inbox sweep finds what Redis lost.
    const quiet = new Set(people.slice(0, people.length / 2));
    const restarted = (async () => {
      await sleep(randomBetween(1000, 2000));
      await cluster.redis.restartEmpty();
    })();
    const deliver = (body: unknown) => cluster.deliver(body);
    const streams = await Promise.all([
      streamDeliveries(
        deliver,
        inbox.igId,
        dms.filter((dm) => quiet.has(dm.from)),
        () => restarted,
        3,
      ),
      streamDeliveries(
        deliver,
        inbox.igId,
        dms.filter((dm) => !quiet.has(dm.from)),
        async () => {
          await restarted;
          await sleep(3000);
        },
        3,
      ),
    ]);
    const records = streams.flat();
    await expectAcknowledgedStoredOnce(cluster.db, records, RECOVERY_TIMEOUT_MS);
    // Exact counts too: a job whose lease Redis did not remember waits out any holder from
    // before the loss before writing the conversation.
    await expectEverythingOnceAfterRedelivery(inbox, dms, records);
  }, 300_000);

  it('answers 503 while the database is cut off for 10 s, serves again afterwards without a restart, loses nothing acknowledged and keeps exact counts', async () => {
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
    // No delivery waits on the unreachable database longer than the bound. A 200 was stored
    // before the cut or once the database was back (nothing reaches it during the cut): one
    // that came within the bound of the database's return waited for a database that answers
    // again, not on an unreachable one...
    const slow = records.filter(
      (record) =>
        record.startedAt < outage.to &&
        record.endedAt > outage.from &&
        !(record.status === 200 && record.endedAt < outage.to + OUTAGE_ANSWER_BOUND_MS) &&
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
