/** The question the benchmark sends to the API process over its IPC channel. */
export const COMMAND_COUNTS_REQUEST = 'bench:command-counts';

/** Driver housekeeping that is not a round trip of the application's own work. */
export const HOUSEKEEPING_COMMANDS: readonly string[] = [
  'hello',
  'ismaster',
  'isMaster',
  'ping',
  'endSessions',
  'killCursors',
  'saslStart',
  'saslContinue',
];

/** Commands the API process has sent since it started, housekeeping excluded. */
export interface CommandCounts {
  total: number;
  /** By "<command> <collection>", e.g. "find messages" or "aggregate conversations". */
  byCommand: Record<string, number>;
  /** MongoClients that had command monitoring turned on. */
  monitoredClients: number;
}

export interface CommandCountsReply {
  type: typeof COMMAND_COUNTS_REQUEST;
  counts: CommandCounts;
}

export function isCommandCountsReply(message: unknown): message is CommandCountsReply {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === COMMAND_COUNTS_REQUEST &&
    typeof (message as { counts?: unknown }).counts === 'object'
  );
}
