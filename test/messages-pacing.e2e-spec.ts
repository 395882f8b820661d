import type { Response } from 'supertest';
import { countDocs, createInbox, startConversation, type Inbox } from './utils/messaging-factories';
import { createTestApp, type TestApp } from './utils/test-app';

/** The Send API pace of an account: one message per second, never waited for. */
const PACED_ENV = { META_SEND_RATE_PER_SECOND: '1', META_PACING_MAX_WAIT_MS: '0' };

describe('Outbound pacing per account, shared by the instances of one deployment', () => {
  let a: TestApp;
  let b: TestApp;
  let inbox: Inbox;

  beforeAll(async () => {
    a = await createTestApp({ env: PACED_ENV });
    // Both instances talk to the one simulated Meta, as a deployment's instances talk to Meta.
    b = await createTestApp({
      env: {
        ...PACED_ENV,
        META_GRAPH_API_URL: a.simulator.graphApiUrl,
        META_INSTAGRAM_API_URL: a.simulator.instagramApiUrl,
      },
      databaseName: a.databaseName,
    });
    inbox = await createInbox(a);
  });

  afterAll(async () => {
    await b?.close({ keepDatabase: true });
    await a?.close();
  });

  const send = (t: TestApp, conversationId: string, text: string) =>
    t.http
      .post(`/v1/messages/${conversationId}`)
      .set('Authorization', inbox.user.auth)
      .send({ text });

  function expectPaced(res: Response) {
    expect(res.status).toBe(429);
    expect(res.body).toEqual({
      error: {
        code: 429,
        message: 'Too many messages for this Instagram account right now, try again shortly',
        details: [{ reason: 'paced', retryable: true }],
      },
    });
    expect(res.headers['retry-after']).toBe('1');
  }

  it('answers 429 with Retry-After on every instance for sends beyond the pace, and stores nothing for them', async () => {
    const conversations = [];
    for (let i = 0; i < 3; i++) conversations.push(await startConversation(a, inbox));
    const [first, ...others] = conversations.map((c) => c.conversationId);

    await send(a, first, 'within the pace').expect(201);
    const paced = await Promise.all(
      others.flatMap((conversationId, i) => [
        send(a, conversationId, `beyond the pace ${i}`),
        send(b, conversationId, `beyond the pace on B ${i}`),
      ]),
    );

    paced.forEach(expectPaced);
    expect(a.simulator.sentMessages).toHaveLength(1);
    expect(await countDocs(a, 'messages', { sender: 'page' })).toBe(1);
    expect(await countDocs(a, 'messages')).toBe(conversations.length + 1);
    expect(await countDocs(a, 'audit_logs', { action: 'message.sent' })).toBe(1);
  });
});
