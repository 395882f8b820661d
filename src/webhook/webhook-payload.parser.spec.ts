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
    expect(opened.parsed.event).toMatchObject({
      kind: 'message',
      messageId: expect.stringMatching(/^referral:/),
      content: { text: null, metadata: { referral: { ref: 'ad-7' } } },
    });
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
