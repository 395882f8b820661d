import { graphError } from './simulator-http';

/** Pure helpers shaping Graph API responses in the simulator. */

const DEFAULT_PAGE_SIZE = 25;
const MAX_PAGE_SIZE = 100;

/** Top-level names from a `fields` parameter (`a,b{c},d.limit(2)` → a, b, d). */
export function requestedFields(query: Record<string, string>, defaults: string[]): string[] {
  if (!query.fields) return defaults;
  const names: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of query.fields) {
    if (char === '{' || char === '(') depth += 1;
    else if (char === '}' || char === ')') depth -= 1;
    else if (char === ',' && depth === 0) {
      names.push(current);
      current = '';
      continue;
    }
    if (depth === 0 && char !== '}' && char !== ')') current += char;
  }
  names.push(current);
  return names.map((n) => n.split('.')[0].trim()).filter((n) => n !== '');
}

/** Requested fields of a node, rejecting unknown ones like the Graph API. */
export function pick(
  all: Record<string, unknown>,
  fields: string[],
  allowed: Set<string>,
  nodeType: string,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const field of fields) {
    if (!allowed.has(field)) {
      throw graphError(
        400,
        100,
        `(#100) Tried accessing nonexisting field (${field}) on node type (${nodeType})`,
      );
    }
    if (all[field] !== undefined) result[field] = all[field];
  }
  if (all.id !== undefined) result.id = all.id;
  return result;
}

/** Requested fields of an edge item; unknown names are ignored. */
export function pickLoose(
  item: Record<string, unknown>,
  fields: string[],
): Record<string, unknown> {
  const result: Record<string, unknown> = { id: item.id };
  for (const field of fields) if (item[field] !== undefined) result[field] = item[field];
  return result;
}

export function clampLimit(raw: string | undefined): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) return DEFAULT_PAGE_SIZE;
  return Math.min(value, MAX_PAGE_SIZE);
}

export function encodeCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match)
    throw graphError(400, 100, '(#100) The after cursor is not valid', {
      type: 'GraphMethodException',
    });
  return Number(match[1]);
}
