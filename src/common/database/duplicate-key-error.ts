/**
 * Whether a write was refused by a unique index. MongoDB answers code 11000;
 * FerretDB answers an update that collides with an internal error naming the
 * UNIQUE constraint.
 */
export function isDuplicateKeyError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code === 11000 || code === 11001) return true;
  return typeof message === 'string' && /E11000|UNIQUE constraint failed/.test(message);
}
