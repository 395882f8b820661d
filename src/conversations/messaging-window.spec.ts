import {
  HUMAN_AGENT_WINDOW_MS,
  replyWindow,
  sendRefusal,
  STANDARD_WINDOW_MS,
} from './messaging-window';

const now = new Date('2026-03-10T12:00:00.000Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const HOUR = 60 * 60 * 1000;

describe('replyWindow', () => {
  it('is closed with no expiry when the user never wrote', () => {
    expect(replyWindow(null, false, now)).toEqual({ canReply: false, windowExpiresAt: null });
  });

  it('stays open for 24 hours after the last inbound message', () => {
    const last = ago(23 * HOUR);
    expect(replyWindow(last, false, now)).toEqual({
      canReply: true,
      windowExpiresAt: new Date(last.getTime() + STANDARD_WINDOW_MS),
    });
    expect(replyWindow(ago(25 * HOUR), false, now).canReply).toBe(false);
  });

  it('stays open for 7 days when human agent replies are enabled', () => {
    const last = ago(6 * 24 * HOUR);
    expect(replyWindow(last, true, now)).toEqual({
      canReply: true,
      windowExpiresAt: new Date(last.getTime() + HUMAN_AGENT_WINDOW_MS),
    });
  });
});

describe('sendRefusal', () => {
  it('allows an untagged message inside 24 hours', () => {
    expect(sendRefusal(ago(HOUR), undefined, false, now)).toBeNull();
  });

  it('refuses an untagged message after 24 hours, even with human agent enabled', () => {
    expect(sendRefusal(ago(25 * HOUR), undefined, true, now)).toMatch(/24-hour messaging window/);
  });

  it('refuses when the user never wrote', () => {
    expect(sendRefusal(null, undefined, false, now)).toMatch(/24-hour/);
  });

  it('allows HUMAN_AGENT for 7 days only when enabled', () => {
    expect(sendRefusal(ago(3 * 24 * HOUR), 'HUMAN_AGENT', true, now)).toBeNull();
    expect(sendRefusal(ago(8 * 24 * HOUR), 'HUMAN_AGENT', true, now)).toMatch(/7-day/);
    expect(sendRefusal(ago(HOUR), 'HUMAN_AGENT', false, now)).toMatch(/not enabled/);
  });
});
