import { Types } from 'mongoose';
import { ValidationError } from '../errors';

/** Position after an item of a list sorted by `(time desc, _id desc)`. */
export interface PageCursor {
  time: Date;
  id: Types.ObjectId;
}

/** Opaque `before` cursor: base64url of `{"t": ISO time, "id": ObjectId}`. */
export function encodePageCursor(time: Date, id: Types.ObjectId | string): string {
  return Buffer.from(JSON.stringify({ t: time.toISOString(), id: String(id) })).toString(
    'base64url',
  );
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
  if (typeof parsed !== 'object' || parsed === null) throw invalid();
  const { t, id } = parsed as { t?: unknown; id?: unknown };
  if (typeof t !== 'string' || typeof id !== 'string' || !/^[0-9a-f]{24}$/i.test(id)) {
    throw invalid();
  }
  const time = new Date(t);
  if (Number.isNaN(time.getTime())) throw invalid();
  return { time, id: new Types.ObjectId(id) };
}

/** Filter for items strictly after the cursor in `(field desc, _id desc)` order. */
export function olderThan(field: string, cursor: PageCursor): Record<string, unknown> {
  return {
    $or: [{ [field]: { $lt: cursor.time } }, { [field]: cursor.time, _id: { $lt: cursor.id } }],
  };
}
