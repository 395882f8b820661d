import {
  deletedMessage,
  echoMessage,
  inboundMessage,
  messageEdit,
  postback,
  reaction,
  readReceipt,
  referral,
  signWebhookBody,
  webhookBatch,
} from './webhook-events';

const ACCOUNT = '17841400000000001';
const USER = '6000000000000001';

describe('webhook event builders', () => {
  it('wraps entries in an instagram batch with a millisecond time', () => {
    const event = inboundMessage({ account: ACCOUNT, from: USER, text: 'hi', timestamp: 1 });
    const batch = webhookBatch([
      { id: ACCOUNT, time: 1700000000000, messaging: [event] },
      { id: ACCOUNT, standby: [event] },
    ]);

    expect(batch.object).toBe('instagram');
    expect(batch.entry[0]).toEqual({ id: ACCOUNT, time: 1700000000000, messaging: [event] });
    expect(batch.entry[1]).toEqual({ id: ACCOUNT, time: expect.any(Number), standby: [event] });
  });

  it('builds an inbound text message from the user to the account', () => {
    const event = inboundMessage({
      account: ACCOUNT,
      from: USER,
      text: 'Hello',
      mid: 'mid-1',
      timestamp: 5,
    });

    expect(event).toEqual({
      sender: { id: USER },
      recipient: { id: ACCOUNT },
      timestamp: 5,
      message: { mid: 'mid-1', text: 'Hello' },
    });
  });

  it('gives every message a unique Instagram-style mid by default', () => {
    const a = inboundMessage({ account: ACCOUNT, from: USER, text: 'a' }).message?.mid;
    const b = inboundMessage({ account: ACCOUNT, from: USER, text: 'b' }).message?.mid;

    expect(a).toMatch(/^aWdf[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
  });

  it('builds attachments, quick replies and replies like Meta', () => {
    const withAttachment = inboundMessage({
      account: ACCOUNT,
      from: USER,
      attachments: [
        { type: 'image', url: 'https://cdn.example.com/1.jpg' },
        { type: 'share', payload: { url: 'https://instagram.com/p/x' } },
      ],
      quickReplyPayload: 'YES',
      replyToMid: 'mid-0',
    });
    const storyReply = inboundMessage({
      account: ACCOUNT,
      from: USER,
      text: 'nice story',
      replyToStory: { id: 'story-1', url: 'https://cdn.example.com/story.mp4' },
    });
    const unsupported = inboundMessage({ account: ACCOUNT, from: USER, isUnsupported: true });

    expect(withAttachment.message).toMatchObject({
      attachments: [
        { type: 'image', payload: { url: 'https://cdn.example.com/1.jpg' } },
        { type: 'share', payload: { url: 'https://instagram.com/p/x' } },
      ],
      quick_reply: { payload: 'YES' },
      reply_to: { mid: 'mid-0' },
    });
    expect(storyReply.message?.reply_to).toEqual({
      story: { url: 'https://cdn.example.com/story.mp4', id: 'story-1' },
    });
    expect(unsupported.message).toMatchObject({ is_unsupported: true });
  });

  it('builds an echo sent by the account to the user', () => {
    const event = echoMessage({ account: ACCOUNT, to: USER, text: 'Thanks!', mid: 'mid-2' });

    expect(event).toMatchObject({
      sender: { id: ACCOUNT },
      recipient: { id: USER },
      message: { mid: 'mid-2', text: 'Thanks!', is_echo: true },
    });
  });

  it('builds a deleted message', () => {
    expect(deletedMessage({ account: ACCOUNT, from: USER, mid: 'mid-3' }).message).toEqual({
      mid: 'mid-3',
      is_deleted: true,
    });
  });

  it('builds reactions with a love default and bare unreacts', () => {
    expect(reaction({ account: ACCOUNT, from: USER, mid: 'm', action: 'react' }).reaction).toEqual({
      mid: 'm',
      action: 'react',
      reaction: 'love',
      emoji: '\u2764\uFE0F',
    });
    expect(
      reaction({ account: ACCOUNT, from: USER, mid: 'm', action: 'unreact' }).reaction,
    ).toEqual({
      mid: 'm',
      action: 'unreact',
    });
  });

  it('builds read receipts, postbacks and referrals', () => {
    expect(readReceipt({ account: ACCOUNT, from: USER, mid: 'm' })).toMatchObject({
      sender: { id: USER },
      recipient: { id: ACCOUNT },
      read: { mid: 'm' },
    });
    expect(
      postback({ account: ACCOUNT, from: USER, title: 'Start', payload: 'GET_STARTED' }).postback,
    ).toEqual({ mid: expect.stringMatching(/^aWdf/), title: 'Start', payload: 'GET_STARTED' });
    expect(referral({ account: ACCOUNT, from: USER, ref: 'promo' }).referral).toEqual({
      ref: 'promo',
      source: 'SHORTLINKS',
      type: 'OPEN_THREAD',
    });
    expect(
      referral({ account: ACCOUNT, from: USER, ref: 'spring', adId: '2385' }).referral,
    ).toEqual({ ref: 'spring', ad_id: '2385', source: 'ADS', type: 'OPEN_THREAD' });
  });

  it('builds message edits like Meta’s message_edit event', () => {
    expect(
      messageEdit({
        account: ACCOUNT,
        from: USER,
        mid: 'm',
        text: 'fixed',
        numEdit: 1,
        timestamp: 5,
      }),
    ).toEqual({
      sender: { id: USER },
      recipient: { id: ACCOUNT },
      timestamp: 5,
      message_edit: { mid: 'm', text: 'fixed', num_edit: 1 },
    });
  });

  it('signs a raw body as sha256=<hex HMAC>', () => {
    expect(signWebhookBody('{"object":"instagram"}', 'shhh')).toBe(
      'sha256=b9ea43ebac785d25fea28aaec09ace4480c6776ffcdc3613bdf999fa50a03ff6',
    );
  });
});
