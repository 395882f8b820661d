/** A MongoDB ObjectId as text: 24 hexadecimal characters, in either case. */
export const OBJECT_ID_PATTERN = /^[0-9a-f]{24}$/i;

/** {@link OBJECT_ID_PATTERN} as OpenAPI states it (OpenAPI patterns have no flags). */
export const OBJECT_ID_OPENAPI_PATTERN = '^[0-9a-fA-F]{24}$';

/** Whether `value` is an ObjectId as text (see {@link OBJECT_ID_PATTERN}). */
export function isObjectIdString(value: unknown): value is string {
  return typeof value === 'string' && OBJECT_ID_PATTERN.test(value);
}
