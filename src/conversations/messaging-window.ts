/** Meta's standard messaging window after the user's last message. */
export const STANDARD_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Window of messages tagged HUMAN_AGENT. */
export const HUMAN_AGENT_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

export interface ReplyWindow {
  canReply: boolean;
  /** Null when the user never wrote. */
  windowExpiresAt: Date | null;
}

/** Whether the account may still answer, counting HUMAN_AGENT replies when they are enabled. */
export function replyWindow(
  lastInboundAt: Date | null | undefined,
  humanAgentEnabled: boolean,
  now: Date,
): ReplyWindow {
  if (!lastInboundAt) return { canReply: false, windowExpiresAt: null };
  const length = humanAgentEnabled ? HUMAN_AGENT_WINDOW_MS : STANDARD_WINDOW_MS;
  const windowExpiresAt = new Date(lastInboundAt.getTime() + length);
  return { canReply: now < windowExpiresAt, windowExpiresAt };
}

/** Why a message cannot be sent now, or null when it can. */
export function sendRefusal(
  lastInboundAt: Date | null | undefined,
  tag: 'HUMAN_AGENT' | undefined,
  humanAgentEnabled: boolean,
  now: Date,
): string | null {
  if (tag === 'HUMAN_AGENT' && !humanAgentEnabled) {
    return 'The HUMAN_AGENT tag is not enabled for this application';
  }
  const since = lastInboundAt ? now.getTime() - lastInboundAt.getTime() : Infinity;
  if (since < STANDARD_WINDOW_MS) return null;
  if (tag === 'HUMAN_AGENT') {
    return since < HUMAN_AGENT_WINDOW_MS
      ? null
      : 'The 7-day human agent window has closed: the user has not written in the last 7 days';
  }
  return 'The 24-hour messaging window has closed: the user has not written in the last 24 hours';
}
