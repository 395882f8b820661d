import {
  deletedMessage,
  echoMessage,
  inboundMessage,
  postback,
  reaction,
  readReceipt,
  referral,
  webhookBatch,
} from '../meta-simulator/webhook-events';
import {
  draftsFromWebhook,
  MalformedWebhookError,
  messageEntryKeys,
  parseStoredPayload,
  storable,
} from './webhook-payload.parser';

const ACCOUNT = '17841400000000001';
const USER = '6100000000000001';
const NOW = Date.UTC(2026, 2, 10, 12);

function parseOne(event: unknown) {
  const { drafts } = draftsFromWebhook(
    webhookBatch([{ id: ACCOUNT, messaging: [event as never] }]),
    NOW,
  );
  expect(drafts).toHaveLength(1);
  return { draft: drafts[0], parsed: parseStoredPayload(drafts[0].payload, NOW) };
}

describe('draftsFromWebhook', () => {
  it('refuses a body that is not a webhook', () => {
    for (const body of [null, [], { object: 'instagram' }, { entry: [] }, 'text']) {
      expect(() => draftsFromWebhook(body, NOW)).toThrow(MalformedWebhookError);
    }
  });

  it('keeps nothing of other objects', () => {
    expect(
      draftsFromWebhook({ object: 'page', entry: [{ id: '1', messaging: [{}] }] }, NOW),
    ).toEqual({
      object: 'page',
      drafts: [],
    });
  });

  it('gives a redelivered event the same dedupe key and distinct events distinct keys', () => {
    const event = inboundMessage({ account: ACCOUNT, from: USER, text: 'hi', timestamp: NOW });
    const once = draftsFromWebhook(webhookBatch([{ id: ACCOUNT, messaging: [event] }]), NOW);
    const again = draftsFromWebhook(
      webhookBatch([{ id: ACCOUNT, time: NOW + 5000, standby: [event] }]),
      NOW + 5000,
    );
    expect(again.drafts[0].dedupeKey).toBe(once.drafts[0].dedupeKey);
    const other = inboundMessage({ account: ACCOUNT, from: USER, text: 'hi', timestamp: NOW });
    const deleted = deletedMessage({
      account: ACCOUNT,
      from: USER,
      mid: event.message?.mid as string,
    });
    const keys = draftsFromWebhook(
      webhookBatch([{ id: ACCOUNT, messaging: [other, deleted] }]),
      NOW,
    ).drafts.map((d) => d.dedupeKey);
    expect(new Set([once.drafts[0].dedupeKey, ...keys]).size).toBe(3);
  });

  it('stores changes as ignored drafts', () => {
    const { drafts } = draftsFromWebhook(
      webhookBatch([{ id: ACCOUNT, changes: [{ field: 'comments', value: { id: '1' } }] }]),
      NOW,
    );
    expect(drafts).toEqual([
      expect.objectContaining({
        kind: 'change',
        accountMetaId: ACCOUNT,
        ignoredReason: expect.any(String),
      }),
    ]);
  });
});

describe('parseStoredPayload', () => {
  it('reads an inbound message with attachments, a story reply and a quick reply', () => {
    const event = inboundMessage({
      account: ACCOUNT,
      from: USER,
      text: 'nice',
      timestamp: NOW,
      attachments: [{ type: 'image', url: 'https://cdn.example.com/a.jpg' }, { type: 'sticker' }],
      replyToStory: { id: '1789', url: 'https://cdn.example.com/s.mp4' },
      quickReplyPayload: 'YES',
    });
    const { draft, parsed } = parseOne(event);
    expect(draft).toMatchObject({ kind: 'message', accountMetaId: ACCOUNT });
    expect(parsed.event).toEqual({
      kind: 'message',
      direction: 'inbound',
      accountMetaId: ACCOUNT,
      participantId: USER,
      timestamp: new Date(NOW),
      messageId: event.message?.mid,
      content: {
        text: 'nice',
        attachments: [
          { type: 'image', url: 'https://cdn.example.com/a.jpg' },
          { type: 'sticker', url: null },
        ],
        replyTo: { story: { id: '1789', url: 'https://cdn.example.com/s.mp4' } },
        metadata: { quickReply: { payload: 'YES' } },
        unsupported: false,
      },
    });
  });

  it('reads an echo as an outbound message of the sending account', () => {
    const { draft, parsed } = parseOne(echoMessage({ account: ACCOUNT, to: USER, text: 'hello' }));
    expect(draft.kind).toBe('echo');
    expect(parsed.event).toMatchObject({
      kind: 'message',
      direction: 'outbound',
      accountMetaId: ACCOUNT,
      participantId: USER,
    });
  });

  it('reads deletions, reactions, read receipts, postbacks and referrals', () => {
    expect(
      parseOne(deletedMessage({ account: ACCOUNT, from: USER, mid: 'm1' })).parsed.event,
    ).toMatchObject({ kind: 'message_deleted', messageId: 'm1', participantId: USER });
    expect(
      parseOne(reaction({ account: ACCOUNT, from: USER, mid: 'm1', action: 'unreact' })).parsed
        .event,
    ).toMatchObject({ kind: 'reaction', action: 'unreact', reaction: null, messageId: 'm1' });
    expect(
      parseOne(readReceipt({ account: ACCOUNT, from: USER, mid: 'm2' })).parsed.event,
    ).toMatchObject({
      kind: 'read',
      messageId: 'm2',
    });
    const tapped = parseOne(
      postback({ account: ACCOUNT, from: USER, title: 'Help', payload: 'HELP', mid: 'p1' }),
    );
    expect(tapped.draft.kind).toBe('postback');
    expect(tapped.parsed.event).toMatchObject({
      kind: 'message',
      messageId: 'p1',
      content: { text: 'Help', metadata: { postback: { title: 'Help', payload: 'HELP' } } },
    });
    const opened = parseOne(
      referral({ account: ACCOUNT, from: USER, ref: 'ad-7', timestamp: NOW }),
    );
    expect(opened.draft.kind).toBe('referral');
    expect(opened.parsed.event).toEqual({
      kind: 'referral',
      accountMetaId: ACCOUNT,
      participantId: USER,
      timestamp: new Date(NOW),
      messageId: expect.stringMatching(/^referral:/),
      referral: { source: 'SHORTLINKS', type: 'OPEN_THREAD', ref: 'ad-7', adId: null },
    });
  });

  it('reads a message edit as Meta sends it, num_edit as a number or a string', () => {
    const edit = {
      sender: { id: USER },
      recipient: { id: ACCOUNT },
      timestamp: NOW,
      message_edit: { mid: 'm1', text: 'fixed typo', num_edit: '2' },
    };
    const { draft, parsed } = parseOne(edit);
    expect(draft).toMatchObject({ kind: 'message_edit', accountMetaId: ACCOUNT });
    expect(parsed.event).toEqual({
      kind: 'message_edit',
      accountMetaId: ACCOUNT,
      participantId: USER,
      timestamp: new Date(NOW),
      messageId: 'm1',
      text: 'fixed typo',
      editCount: 2,
    });
    const again = parseOne({ ...edit, message_edit: { mid: 'm1', text: 'again', num_edit: 3 } });
    expect(again.parsed.event).toMatchObject({ editCount: 3 });
    expect(again.draft.dedupeKey).not.toBe(draft.dedupeKey);
    const byAccount = parseOne({
      sender: { id: ACCOUNT },
      recipient: { id: USER },
      timestamp: NOW,
      message_edit: { mid: 'm2', text: 'ours' },
    });
    expect(byAccount.parsed.event).toMatchObject({
      accountMetaId: ACCOUNT,
      participantId: USER,
      editCount: null,
    });
    expect(parseOne({ ...edit, message_edit: { mid: 'm1', num_edit: 1 } }).draft).toMatchObject({
      kind: 'unrecognized',
      ignoredReason: expect.any(String),
    });
  });

  it('keeps the link, media id and caption of stories, reels and shared posts', () => {
    const { parsed } = parseOne({
      sender: { id: USER },
      recipient: { id: ACCOUNT },
      timestamp: NOW,
      message: {
        mid: 'm3',
        attachments: [
          {
            type: 'ig_story',
            payload: { story_media_id: '18060000000000001', story_media_url: 'https://cdn/s.mp4' },
          },
          {
            type: 'ig_reel',
            payload: {
              url: 'https://cdn/r.mp4',
              title: 'Our reel',
              reel_video_id: '18070000000000001',
            },
          },
          {
            type: 'share',
            payload: { ig_post_media_id: '18139494541428835', title: 'Post', url: 'https://cdn/p' },
          },
          {
            type: 'ig_post',
            payload: { ig_post_media_id: '18139494541428835', title: 'Post', url: 'https://cdn/p' },
          },
        ],
      },
    });
    expect(parsed.event).toMatchObject({
      content: {
        attachments: [
          { type: 'ig_story', url: 'https://cdn/s.mp4', mediaId: '18060000000000001' },
          {
            type: 'ig_reel',
            url: 'https://cdn/r.mp4',
            mediaId: '18070000000000001',
            title: 'Our reel',
          },
          { type: 'ig_post', url: 'https://cdn/p', mediaId: '18139494541428835', title: 'Post' },
        ],
      },
    });
  });

  it('keeps a legacy share alone and a share of another post next to an ig_post', () => {
    const attachmentsOf = (attachments: unknown[]) =>
      (
        parseOne({
          sender: { id: USER },
          recipient: { id: ACCOUNT },
          message: { mid: 'm4', attachments },
        }).parsed.event as { content: { attachments: { type: string }[] } }
      ).content.attachments.map((a) => a.type);
    const share = { type: 'share', payload: { url: 'https://cdn/a', ig_post_media_id: '1' } };
    expect(attachmentsOf([share])).toEqual(['share']);
    expect(
      attachmentsOf([
        share,
        { type: 'ig_post', payload: { url: 'https://cdn/b', ig_post_media_id: '2' } },
      ]),
    ).toEqual(['share', 'ig_post']);
    expect(
      attachmentsOf([
        { type: 'share', payload: { url: 'https://cdn/b' } },
        { type: 'ig_post', payload: { url: 'https://cdn/b', ig_post_media_id: '2' } },
      ]),
    ).toEqual(['ig_post']);
  });

  it('reads numeric ids and refuses numbers too large to be exact', () => {
    const numeric = parseOne({
      sender: { id: 6100000000000001 },
      recipient: { id: 1784140000000 },
      timestamp: NOW,
      message: { mid: 'm5', text: 'hi', reply_to: { story: { id: 1789000000000001, url: 'u' } } },
    });
    expect(numeric.parsed.event).toMatchObject({
      accountMetaId: '1784140000000',
      participantId: '6100000000000001',
      content: { replyTo: { story: { id: '1789000000000001' } } },
    });
    expect(
      parseOne({
        sender: { id: Number('17841400000000001') },
        recipient: { id: ACCOUNT },
        message: { mid: 'm6', text: 'x' },
      }).draft.kind,
    ).toBe('unrecognized');
  });

  it('keeps the referral of an ice-breaker tap and of a message from an ad', () => {
    const tapped = parseOne({
      sender: { id: USER },
      recipient: { id: ACCOUNT },
      timestamp: NOW,
      postback: {
        mid: 'p2',
        title: 'Prices?',
        payload: 'PRICES',
        referral: { ref: 'bio', source: 'SHORTLINKS', type: 'OPEN_THREAD' },
      },
    });
    expect(tapped.parsed.event).toMatchObject({
      referral: { ref: 'bio', source: 'SHORTLINKS', type: 'OPEN_THREAD', adId: null },
    });
    const fromAd = parseOne({
      sender: { id: USER },
      recipient: { id: ACCOUNT },
      timestamp: NOW,
      message: {
        mid: 'm7',
        text: 'Is this available?',
        referral: { ref: 'spring', ad_id: '23850000000000001', source: 'ADS', type: 'OPEN_THREAD' },
      },
    });
    expect(fromAd.parsed.event).toMatchObject({
      referral: { source: 'ADS', adId: '23850000000000001', ref: 'spring' },
      content: { metadata: { referral: { ad_id: '23850000000000001' } } },
    });
  });

  it('names the inbox entry of a message by its mid', () => {
    const message = parseOne(
      inboundMessage({ account: ACCOUNT, from: USER, mid: 'm8', text: 'x' }),
    );
    const echo = parseOne(echoMessage({ account: ACCOUNT, to: USER, mid: 'm9', text: 'y' }));
    expect(messageEntryKeys([ACCOUNT], 'm8')).toContain(message.draft.dedupeKey);
    expect(messageEntryKeys([ACCOUNT, 'page'], 'm9')).toContain(echo.draft.dedupeKey);
    expect(messageEntryKeys(['other'], 'm8')).not.toContain(message.draft.dedupeKey);
  });

  it('marks events it cannot use as unrecognized', () => {
    const { draft, parsed } = parseOne({
      sender: { id: USER },
      recipient: { id: ACCOUNT },
      optin: {},
    });
    expect(draft).toMatchObject({ kind: 'unrecognized', ignoredReason: expect.any(String) });
    expect(parsed.event).toBeNull();
    expect(parseOne({ message: { mid: 'x' } }).draft.kind).toBe('unrecognized');
    expect(
      parseOne({ sender: { id: 'a.b' }, recipient: { id: ACCOUNT }, message: { mid: 'x' } }).draft
        .kind,
    ).toBe('unrecognized');
  });

  it('accepts timestamps in seconds and falls back to the entry time', () => {
    const inSeconds = {
      ...inboundMessage({ account: ACCOUNT, from: USER, text: 'x' }),
      timestamp: NOW / 1000,
    };
    expect(parseOne(inSeconds).parsed.event?.timestamp).toEqual(new Date(NOW));
  });
});

describe('storable', () => {
  it('replaces dots and leading dollars in keys and wraps nested arrays', () => {
    expect(storable({ 'a.b': 1, $c: { 'd.e': [[1, 2], 3] } })).toEqual({
      a_b: 1,
      _c: { d_e: [{ items: [1, 2] }, 3] },
    });
  });
});
