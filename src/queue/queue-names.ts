/** Every BullMQ queue of the product; each feature registers the ones it produces to. */
export const QUEUES = {
  /** Applying webhook inbox entries, one conversation at a time. */
  inbox: 'inbox',
  /** Scheduled upkeep: token refresh, purges, sweeps, reconciliation. */
  maintenance: 'maintenance',
  /** Best-effort background calls to Meta (participant profiles, read receipts). */
  meta: 'meta-background',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
