import { Types } from 'mongoose';
import request from 'supertest';
import { echoMessage } from '../src/meta-simulator';
import {
  createInbox,
  deliver,
  drainInbox,
  rawDocs,
  startConversation,
  waitFor,
  type Inbox,
} from './utils/messaging-factories';
import { createTestApp, type TestApp } from './utils/test-app';

const PHOTO = { type: 'image', url: 'https://cdn.example.com/photo.jpg' };
/** Meta's echo names its own copy of the media, not the URL it was sent. */
const META_PHOTO_URL = 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1&signature=a';

describe('An attachment send whose outcome was never learned', () => {
  let t: TestApp;
  let inbox: Inbox;

  beforeAll(async () => {
    t = await createTestApp({ env: { META_TIMEOUT_MS: '300', META_MAX_RETRIES: '0' } });
    inbox = await createInbox(t);
  });

  afterAll(async () => {
    await t.close();
  });

  const send = (conversationId: string, body: Record<string, unknown>) =>
    t.http.post(`/v1/messages/${conversationId}`).set('Authorization', inbox.user.auth).send(body);

  /** Sends while Meta answers slower than the app waits: Meta delivers it, the app answers 424. */
  const sendTimingOut = async (conversationId: string, body: Record<string, unknown>) => {
    await request(t.simulator.url).post('/_simulator/latency').send({ ms: 1000 }).expect(200);
    const res = await send(conversationId, body);
    await request(t.simulator.url).post('/_simulator/latency').send({ ms: 0 }).expect(200);
    expect(res.status).toBe(424);
  };

  const deliveredTo = (igsid: string) =>
    waitFor(() => t.simulator.sentMessages.find((sent) => sent.recipientId === igsid), {
      what: 'Meta to deliver the slow send',
    });

  const replies = (conversationId: string) =>
    rawDocs(t, 'messages', { conversation: new Types.ObjectId(conversationId), sender: 'page' });

  const deliverEcho = async (echo: Parameters<typeof echoMessage>[0]) => {
    await deliver(t, [{ id: inbox.igId, messaging: [echoMessage(echo)] }]);
    await drainInbox(t);
  };

  it('ends as one sent message with Meta’s id and attachment when an image send timed out here and its echo arrives', async () => {
    const { participant, conversationId } = await startConversation(t, inbox);
    await sendTimingOut(conversationId, { attachment: PHOTO });
    expect(await replies(conversationId)).toEqual([
      expect.objectContaining({ status: 'failed', attachments: [PHOTO] }),
    ]);
    const delivered = await deliveredTo(participant.igsid);

    await deliverEcho({
      account: inbox.igId,
      to: participant.igsid,
      mid: delivered.messageId,
      attachments: [{ type: 'image', url: META_PHOTO_URL }],
    });

    expect(await replies(conversationId)).toEqual([
      expect.objectContaining({
        status: 'sent',
        messageId: delivered.messageId,
        error: null,
        attachments: [{ type: 'image', url: META_PHOTO_URL }],
      }),
    ]);
    const [conversation] = await rawDocs(t, 'conversations', { igUserId: participant.igsid });
    expect(conversation).toMatchObject({ lastMessageId: delivered.messageId, unreadCount: 1 });
    expect(
      t.simulator.sentMessages.filter((s) => s.recipientId === participant.igsid),
    ).toHaveLength(1);
  });

  it('ends as one sent message when the instance sending a video stopped and its echo arrives later', async () => {
    const { participant, conversationId } = await startConversation(t, inbox);
    await send(conversationId, {
      attachment: { type: 'video', url: 'https://cdn.example.com/clip.mp4' },
    }).expect(201);
    const [sent] = await replies(conversationId);
    // As the instance left it: stored pending two minutes ago, Meta's answer never recorded.
    await t.connection.collection('messages').updateOne(
      { _id: sent._id },
      {
        $set: {
          status: 'pending',
          messageId: 'local:stopped-instance-video',
          createdAt: new Date(Date.now() - 120_000),
        },
      },
    );
    const metaClipUrl = 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=2&signature=b';

    await deliverEcho({
      account: inbox.igId,
      to: participant.igsid,
      mid: sent.messageId as string,
      attachments: [{ type: 'video', url: metaClipUrl }],
    });

    expect(await replies(conversationId)).toEqual([
      expect.objectContaining({
        _id: sent._id,
        status: 'sent',
        messageId: sent.messageId,
        attachments: [{ type: 'video', url: metaClipUrl }],
      }),
    ]);
  });

  it('adopts the attachment of a captioned send that timed out, leaving its unsent text failed', async () => {
    const { participant, conversationId } = await startConversation(t, inbox);
    await sendTimingOut(conversationId, { text: 'the photo you asked for', attachment: PHOTO });
    const delivered = await deliveredTo(participant.igsid);

    await deliverEcho({
      account: inbox.igId,
      to: participant.igsid,
      mid: delivered.messageId,
      attachments: [{ type: 'image', url: META_PHOTO_URL }],
    });

    const stored = await replies(conversationId);
    expect(stored).toHaveLength(2);
    expect(stored).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          status: 'sent',
          messageId: delivered.messageId,
          text: null,
          attachments: [{ type: 'image', url: META_PHOTO_URL }],
        }),
        expect.objectContaining({
          status: 'failed',
          text: 'the photo you asked for',
          attachments: [],
        }),
      ]),
    );
  });

  it('never lets an echo of the same text adopt the text of a captioned send that was never sent', async () => {
    const { participant, conversationId } = await startConversation(t, inbox);
    const caption = 'sent from the Instagram app too';
    await sendTimingOut(conversationId, { text: caption, attachment: PHOTO });
    await deliveredTo(participant.igsid);

    await deliverEcho({
      account: inbox.igId,
      to: participant.igsid,
      mid: 'm-typed-in-the-app',
      text: caption,
    });

    const stored = await replies(conversationId);
    const texts = stored.filter((message) => message.text === caption);
    expect(texts).toHaveLength(2);
    expect(texts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ status: 'sent', messageId: 'm-typed-in-the-app' }),
        expect.objectContaining({
          status: 'failed',
          error: expect.objectContaining({
            answer: expect.objectContaining({ details: [{ reason: 'not_sent', part: 'text' }] }),
          }),
        }),
      ]),
    );
  });

  it('stores an echo of another attachment type as its own message, leaving the unconfirmed send as it was', async () => {
    const { participant, conversationId } = await startConversation(t, inbox);
    await sendTimingOut(conversationId, { attachment: PHOTO });
    const [unconfirmed] = await replies(conversationId);
    const metaAudioUrl = 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=3&signature=c';

    await deliverEcho({
      account: inbox.igId,
      to: participant.igsid,
      mid: 'm_unrelated_voice_note',
      attachments: [{ type: 'audio', url: metaAudioUrl }],
    });

    const stored = await replies(conversationId);
    expect(stored).toHaveLength(2);
    expect(stored).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          _id: unconfirmed._id,
          status: 'failed',
          messageId: unconfirmed.messageId,
          attachments: [PHOTO],
        }),
        expect.objectContaining({
          status: 'sent',
          messageId: 'm_unrelated_voice_note',
          attachments: [{ type: 'audio', url: metaAudioUrl }],
        }),
      ]),
    );
  });
});
