import type { Document } from 'mongodb';
import { inboundMessage, reaction, type SimUser } from '../src/meta-simulator';
import { createUser } from './utils/factories';
import {
  countDocs,
  createInbox,
  deliver,
  rawDocs,
  worker,
  type Inbox,
} from './utils/messaging-factories';
import { InboxQueue } from '../src/webhook/inbox-queue';
import { createTestApp, type TestApp } from './utils/test-app';

/**
 * Webhook bodies written out the way Meta's documentation shows them (string
 * and numeric ids, Instagram-Login and Facebook-Login entries), not built with
 * the simulator's helpers.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** A message id in Instagram's format. */
function mid(n: number): string {
  return `aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAwMDAwMDAwMDAxOjM0MDI4MjM2Nj${n}`;
}

/** `{ object: 'instagram', entry: [{ id, time, messaging: [event] }] }` as Meta delivers it. */
function delivery(entryId: string | number, ...events: unknown[]): unknown {
  return { object: 'instagram', entry: [{ time: Date.now(), id: entryId, messaging: events }] };
}

describe('Webhook payloads shaped like Meta’s documentation', () => {
  let t: TestApp;
  let inbox: Inbox;
  let participant: SimUser;

  beforeAll(async () => {
    t = await createTestApp();
    inbox = await createInbox(t);
  });

  afterAll(async () => {
    await t.close();
  });

  beforeEach(() => {
    participant = t.simulator.addUser();
  });

  async function send(body: unknown): Promise<void> {
    const res = await t.simulator.deliverWebhook(body);
    expect(res.status).toBe(200);
    await worker(t).drain();
  }

  async function conversationOf(igsid: string, owner = inbox): Promise<Document> {
    const [found] = await rawDocs(t, 'conversations', {
      igUserId: igsid,
      accountInstagramId: owner.igId,
    });
    const res = await t.http
      .get(`/v1/conversations/detail/${String(found._id)}`)
      .set('Authorization', owner.user.auth)
      .expect(200);
    return res.body as Document;
  }

  async function messagesOf(igsid: string, owner = inbox): Promise<Document[]> {
    const { id } = await conversationOf(igsid, owner);
    const res = await t.http
      .get(`/v1/messages/${id}`)
      .set('Authorization', owner.user.auth)
      .expect(200);
    return res.body.messages as Document[];
  }

  function text(o: { from: string; id: string; at: number; body: string }): unknown {
    return {
      sender: { id: o.from },
      recipient: { id: inbox.igId },
      timestamp: o.at,
      message: { mid: o.id, text: o.body },
    };
  }

  describe('message_edit', () => {
    it('replaces the text, counts the edits and updates the preview of the newest message', async () => {
      const from = participant.igsid;
      const at = Date.now() - 60_000;
      await send(
        delivery(
          inbox.igId,
          text({ from, id: mid(1), at, body: 'Do you ship to Lyon?' }),
          text({ from, id: mid(2), at: at + 1000, body: 'And to Pariss?' }),
        ),
      );
      await send(
        delivery(inbox.igId, {
          sender: { id: from },
          recipient: { id: inbox.igId },
          timestamp: at + 5000,
          message_edit: { mid: mid(2), text: 'And to Paris?', num_edit: 1 },
        }),
      );

      const [newest, oldest] = await messagesOf(from);
      expect(newest).toMatchObject({
        messageId: mid(2),
        text: 'And to Paris?',
        editCount: 1,
        editedAt: new Date(at + 5000).toISOString(),
      });
      expect(oldest.text).toBe('Do you ship to Lyon?');
      expect(oldest).not.toHaveProperty('editedAt');
      expect(oldest).not.toHaveProperty('editCount');
      expect(await conversationOf(from)).toMatchObject({ lastMessage: 'And to Paris?' });
    });

    it('keeps the preview when an older message is edited and never applies a stale edit', async () => {
      const from = participant.igsid;
      const at = Date.now() - 60_000;
      await send(
        delivery(
          inbox.igId,
          text({ from, id: mid(3), at, body: 'first' }),
          text({ from, id: mid(4), at: at + 1000, body: 'second' }),
        ),
      );
      const edit = (n: number | string, body: string, when: number) => ({
        sender: { id: from },
        recipient: { id: inbox.igId },
        timestamp: when,
        message_edit: { mid: mid(3), text: body, num_edit: n },
      });
      await send(delivery(inbox.igId, edit('2', 'first, edited twice', at + 3000)));
      await send(delivery(inbox.igId, edit(1, 'first, edited once', at + 2000)));

      const [, oldest] = await messagesOf(from);
      expect(oldest).toMatchObject({ text: 'first, edited twice', editCount: 2 });
      expect(await conversationOf(from)).toMatchObject({ lastMessage: 'second' });
      // Applied, the edits left the inbox.
      expect(await rawDocs(t, 'webhook_inbox', { kind: 'message_edit' })).toEqual([]);
    });

    it('applies an edit sent to a Facebook-Login Page with a numeric sender id', async () => {
      const facebook = await createInbox(t, { connectionType: 'facebook' });
      const pageId = facebook.account.sim.pageId as string;
      const from = participant.igsid;
      const at = Date.now() - 60_000;
      await send({
        object: 'instagram',
        entry: [
          {
            time: at,
            id: pageId,
            messaging: [
              {
                sender: { id: Number(from) },
                recipient: { id: pageId },
                timestamp: at,
                message: { mid: mid(5), text: 'helo' },
              },
            ],
          },
        ],
      });
      await send({
        object: 'instagram',
        entry: [
          {
            time: at + 1000,
            id: pageId,
            messaging: [
              {
                sender: { id: Number(from) },
                recipient: { id: pageId },
                timestamp: at + 1000,
                message_edit: { mid: mid(5), text: 'hello', num_edit: '1' },
              },
            ],
          },
        ],
      });
      const [message] = await messagesOf(from, facebook);
      expect(message).toMatchObject({ senderId: from, text: 'hello', editCount: 1 });
    });
  });

  describe('attachments', () => {
    it('stores the link and media id of an ig_story attachment', async () => {
      const from = participant.igsid;
      await send(
        delivery(inbox.igId, {
          sender: { id: from },
          recipient: { id: inbox.igId },
          timestamp: Date.now(),
          message: {
            mid: mid(6),
            attachments: [
              {
                type: 'ig_story',
                payload: {
                  story_media_id: '18060594913000001',
                  story_media_url: 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1806',
                },
              },
            ],
          },
        }),
      );
      const [message] = await messagesOf(from);
      expect(message.attachments).toEqual([
        {
          type: 'ig_story',
          url: 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1806',
          mediaId: '18060594913000001',
        },
      ]);
    });

    it('stores a post shared with the share and ig_post attachments once, with its media id and caption', async () => {
      const from = participant.igsid;
      const post = {
        ig_post_media_id: '18139494541428835',
        title: 'Build a workspace that attracts talent.',
        url: 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=18139494541428835&signature=a',
      };
      await send(
        delivery(inbox.igId, {
          sender: { id: from },
          recipient: { id: inbox.igId },
          timestamp: Date.now(),
          message: {
            mid: mid(7),
            attachments: [
              { type: 'share', payload: post },
              { type: 'ig_post', payload: post },
            ],
          },
        }),
      );
      const [message] = await messagesOf(from);
      expect(message.attachments).toEqual([
        { type: 'ig_post', url: post.url, mediaId: post.ig_post_media_id, title: post.title },
      ]);
      expect((await conversationOf(from)).lastMessage).toBe('[1 attachment(s)]');
    });

    it('keeps the media id and caption of a legacy share and of a reel', async () => {
      const from = participant.igsid;
      const at = Date.now();
      await send(
        delivery(
          inbox.igId,
          {
            sender: { id: from },
            recipient: { id: inbox.igId },
            timestamp: at,
            message: {
              mid: mid(8),
              attachments: [
                {
                  type: 'share',
                  payload: {
                    ig_post_media_id: '18139494541428836',
                    title: 'Spring collection',
                    url: 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=18139494541428836',
                  },
                },
              ],
            },
          },
          {
            sender: { id: from },
            recipient: { id: inbox.igId },
            timestamp: at + 1,
            message: {
              mid: mid(9),
              attachments: [
                {
                  type: 'ig_reel',
                  payload: {
                    reel_video_id: '18020000000000001',
                    title: 'Behind the scenes',
                    url: 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=18020000000000001',
                  },
                },
              ],
            },
          },
        ),
      );
      const [reel, share] = await messagesOf(from);
      expect(share.attachments).toEqual([
        {
          type: 'share',
          url: 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=18139494541428836',
          mediaId: '18139494541428836',
          title: 'Spring collection',
        },
      ]);
      expect(reel.attachments).toEqual([
        {
          type: 'ig_reel',
          url: 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=18020000000000001',
          mediaId: '18020000000000001',
          title: 'Behind the scenes',
        },
      ]);
    });
  });

  describe('messaging_referral', () => {
    it('records an ig.me referral on the conversation and opens the reply window, without a message', async () => {
      const from = participant.igsid;
      const old = Date.now() - 3 * DAY_MS;
      await send(delivery(inbox.igId, text({ from, id: mid(10), at: old, body: 'hi, last week' })));
      expect(await conversationOf(from)).toMatchObject({ canReply: false });

      const at = Date.now() - 1000;
      await send(
        delivery(inbox.igId, {
          sender: { id: from },
          recipient: { id: inbox.igId },
          timestamp: at,
          referral: { ref: 'bio-link', source: 'SHORTLINKS', type: 'OPEN_THREAD' },
        }),
      );

      expect(await conversationOf(from)).toMatchObject({
        lastMessage: 'hi, last week',
        lastMessageTimestamp: new Date(old).toISOString(),
        unreadCount: 1,
        canReply: true,
        windowExpiresAt: new Date(at + DAY_MS).toISOString(),
        referral: {
          source: 'SHORTLINKS',
          type: 'OPEN_THREAD',
          ref: 'bio-link',
          adId: null,
          at: new Date(at).toISOString(),
        },
      });
      expect((await messagesOf(from)).map((m) => m.text)).toEqual(['hi, last week']);
    });

    it('keeps the newest referral: an ad replaces a link, an older one changes nothing', async () => {
      const from = participant.igsid;
      const at = Date.now() - 10_000;
      const ad = {
        sender: { id: from },
        recipient: { id: inbox.igId },
        timestamp: at,
        referral: {
          ref: 'spring-sale',
          ad_id: '23851234567890123',
          source: 'ADS',
          type: 'OPEN_THREAD',
          ads_context_data: {
            ad_title: 'Spring sale',
            photo_url: 'https://cdn.example.com/ad.jpg',
          },
        },
      };
      await send(delivery(inbox.igId, ad));
      await send(
        delivery(inbox.igId, {
          sender: { id: from },
          recipient: { id: inbox.igId },
          timestamp: at - 5000,
          referral: { ref: 'older-link', source: 'SHORTLINKS', type: 'OPEN_THREAD' },
        }),
      );

      const conversation = await conversationOf(from);
      expect(conversation).toMatchObject({
        lastMessage: null,
        unreadCount: 0,
        canReply: true,
        referral: { source: 'ADS', ref: 'spring-sale', adId: '23851234567890123' },
      });
      expect(await countDocs(t, 'messages', { senderId: from })).toBe(0);
      expect(
        await countDocs(t, 'webhook_inbox', { kind: 'referral', status: { $ne: 'done' } }),
      ).toBe(0);
    });

    it('records the referral of an ice-breaker tap opened from an ig.me link', async () => {
      const from = participant.igsid;
      const at = Date.now();
      await send(
        delivery(inbox.igId, {
          sender: { id: from },
          recipient: { id: inbox.igId },
          timestamp: at,
          postback: {
            mid: mid(11),
            title: 'What are your opening hours?',
            payload: 'HOURS',
            referral: { ref: 'qr-shop-window', source: 'SHORTLINKS', type: 'OPEN_THREAD' },
          },
        }),
      );
      expect(await conversationOf(from)).toMatchObject({
        lastMessage: 'What are your opening hours?',
        referral: { ref: 'qr-shop-window', source: 'SHORTLINKS' },
      });
      const [message] = await messagesOf(from);
      expect(message).toMatchObject({ text: 'What are your opening hours?' });
    });
  });
});

describe('Events naming a message that is not processed yet', () => {
  let t: TestApp;
  let inbox: Inbox;

  beforeAll(async () => {
    t = await createTestApp({
      env: { PROCESS_ROLE: 'api', WEBHOOK_RETRY_BASE_DELAY_MS: '60000' },
    });
    inbox = await createInbox(t);
  });

  afterAll(async () => {
    await t.close();
  });

  /** The inbox entries of this kind from the participant (those not applied yet). */
  async function entriesOf(kind: string, messageFrom: string): Promise<Document[]> {
    const entries = await rawDocs(t, 'webhook_inbox', { kind });
    return entries.filter((entry) =>
      (entry.payload as string).includes(`"sender":{"id":"${messageFrom}"}`),
    );
  }

  async function entryOf(kind: string, messageFrom: string): Promise<Document> {
    const [found] = await entriesOf(kind, messageFrom);
    if (!found) throw new Error(`No ${kind} entry from ${messageFrom}`);
    return found;
  }

  it('applies a reaction taken in the same batch as its earlier message', async () => {
    const from = t.simulator.addUser().igsid;
    const at = Date.now() - 5000;
    const message = inboundMessage({ account: inbox.igId, from, text: 'look', timestamp: at });
    const target = (message.message as { mid: string }).mid;
    await deliver(t, [
      {
        id: inbox.igId,
        messaging: [
          reaction({
            account: inbox.igId,
            from,
            mid: target,
            action: 'react',
            reaction: 'love',
            timestamp: at + 1000,
          }),
        ],
      },
    ]);
    await deliver(t, [{ id: inbox.igId, messaging: [message] }]);
    await worker(t).drain();

    const [stored] = await rawDocs(t, 'messages', { messageId: target });
    expect(stored.reactions[from]).toMatchObject({ reaction: 'love' });
    expect(await entriesOf('reaction', from)).toEqual([]);
  });

  it('retries a reaction while its message waits in the inbox, and shows it while it waits', async () => {
    const admin = await createUser(t, { role: 'admin' });
    const from = t.simulator.addUser().igsid;
    const at = Date.now() - 5000;
    const message = inboundMessage({
      account: inbox.igId,
      from,
      text: 'react to me',
      timestamp: at,
    });
    const target = (message.message as { mid: string }).mid;
    await deliver(t, [{ id: inbox.igId, messaging: [message] }]);
    const waitingMessage = await entryOf('message', from);
    const key = waitingMessage.conversationKey as string;
    const later = new Date(Date.now() + 60 * 60 * 1000);
    // As if its first attempt had failed: it waits for a retry an hour away.
    await t.connection
      .collection('webhook_inbox')
      .updateOne({ _id: waitingMessage._id }, { $set: { nextAttemptAt: later } });
    await t.app.get(InboxQueue).retry(key, [{ id: String(waitingMessage._id), at: later }]);
    await deliver(t, [
      {
        id: inbox.igId,
        messaging: [
          reaction({
            account: inbox.igId,
            from,
            mid: target,
            action: 'react',
            reaction: 'wow',
            timestamp: at + 1000,
          }),
        ],
      },
    ]);
    await worker(t).drain();

    const retrying = await entryOf('reaction', from);
    expect(retrying).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: expect.stringMatching(/No stored message/),
    });
    expect(retrying.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
    const stats = await t.http
      .get('/v1/webhook/inbox')
      .set('Authorization', admin.auth)
      .expect(200);
    expect(stats.body.retrying).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: String(retrying._id), kind: 'reaction' }),
      ]),
    );

    const now = new Date();
    await t.connection
      .collection('webhook_inbox')
      .updateMany(
        { _id: { $in: [waitingMessage._id, retrying._id] } },
        { $set: { nextAttemptAt: now } },
      );
    await t.app.get(InboxQueue).retry(key, [
      { id: String(waitingMessage._id), at: now },
      { id: String(retrying._id), at: now },
    ]);
    await worker(t).drain();

    const [stored] = await rawDocs(t, 'messages', { messageId: target });
    expect(stored.reactions[from]).toMatchObject({ reaction: 'wow' });
    // Applied at its second attempt, it left the inbox.
    expect(await entriesOf('reaction', from)).toEqual([]);
  });
});
