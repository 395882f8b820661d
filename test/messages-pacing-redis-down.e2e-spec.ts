import { countDocs, createInbox, startConversation, type Inbox } from './utils/messaging-factories';
import { TcpProxy } from './utils/tcp-proxy';
import { createTestApp, type TestApp } from './utils/test-app';

describe('Sends while Redis does not answer', () => {
  let redis: TcpProxy;
  let t: TestApp;
  let inbox: Inbox;

  beforeAll(async () => {
    const direct = process.env.TEST_REDIS_BASE_URL as string;
    const target = new URL(direct);
    redis = await TcpProxy.start({ host: target.hostname, port: Number(target.port) });
    process.env.TEST_REDIS_BASE_URL = `redis://127.0.0.1:${redis.port}`;
    try {
      t = await createTestApp();
    } finally {
      process.env.TEST_REDIS_BASE_URL = direct;
    }
    inbox = await createInbox(t);
  });

  afterAll(async () => {
    redis.resume();
    await t?.close();
    await redis.stop();
  });

  it('answers 503 with Retry-After when the account pace cannot be checked, sending and storing nothing', async () => {
    const { conversationId } = await startConversation(t, inbox);
    const messagesBefore = await countDocs(t, 'messages');

    redis.pause();
    const res = await t.http
      .post(`/v1/messages/${conversationId}`)
      .set('Authorization', inbox.user.auth)
      .send({ text: 'while Redis is cut off' });
    redis.resume();

    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      error: {
        code: 503,
        message: 'Sending is unavailable for a moment, try again shortly',
        details: [{ reason: 'pacing_unavailable', retryable: true }],
        requestId: expect.any(String),
      },
    });
    expect(res.headers['retry-after']).toBe('1');
    expect(t.simulator.sentMessages).toHaveLength(0);
    expect(await countDocs(t, 'messages')).toBe(messagesBefore);
    expect(await countDocs(t, 'audit_logs', { action: 'message.sent' })).toBe(0);
  });
});
