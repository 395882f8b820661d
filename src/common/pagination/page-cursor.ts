import { ValidationError } from '../errors';
import { isRecord } from '../utils/is-record';
import { isObjectIdString } from '../utils/object-id';

/** Position after an item of a list sorted by `(time desc, _id desc)`. */
export interface PageCursor {
  time: Date;
  /** The item's ObjectId as 24 lower-case hex characters. */
  id: string;
}

/** Opaque `before` cursor: base64url of `{"t": ISO time, "id": ObjectId}`. */
export function encodePageCursor(time: Date, id: string | { toHexString(): string }): string {
  const hex = typeof id === 'string' ? id : id.toHexString();
  return Buffer.from(JSON.stringify({ t: time.toISOString(), id: hex })).toString('base64url');
}

export function decodePageCursor(value: string, field = 'before'): PageCursor {
  const invalid = () =>
    new ValidationError('Invalid cursor', [
      { field, messages: [`${field} must be a cursor returned by this API`] },
    ]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!isRecord(parsed)) throw invalid();
  const { t, id } = parsed;
  if (typeof t !== 'string' || !isObjectIdString(id)) throw invalid();
  const time = new Date(t);
  if (Number.isNaN(time.getTime())) throw invalid();
  return { time, id: id.toLowerCase() };
}

/**
 * Filter for items strictly after the cursor in `(field desc, _id desc)` order.
 * The model's schema casts the id to an ObjectId when the query runs.
 */
export function olderThan(field: string, cursor: PageCursor): Record<string, unknown> {
  return {
    $or: [{ [field]: { $lt: cursor.time } }, { [field]: cursor.time, _id: { $lt: cursor.id } }],
  };
}
