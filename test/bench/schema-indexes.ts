import 'reflect-metadata';
import type { Db, IndexDescription } from 'mongodb';
import type { Schema } from 'mongoose';
import { ConversationSchema } from '../../src/conversations/schemas/conversation.schema';
import { InstagramAccountSchema } from '../../src/instagram-accounts/schemas/instagram-account.schema';
import { MessageSchema } from '../../src/messages/schemas/message.schema';
import { UserSchema } from '../../src/users/schemas/user.schema';

/** The application's schemas of the collections the benchmark seeds. */
export const SEEDED_SCHEMAS = {
  users: UserSchema,
  accounts: InstagramAccountSchema,
  conversations: ConversationSchema,
  messages: MessageSchema,
} as const;

export type SeededKind = keyof typeof SEEDED_SCHEMAS;

export interface IndexSpec {
  key: Record<string, 1 | -1>;
  unique: boolean;
}

export function collectionOf(schema: Schema): string {
  return schema.get('collection') as string;
}

/** The indexes a schema declares (what mongoose's autoIndex creates), `_id` aside. */
export function declaredIndexes(schema: Schema): IndexSpec[] {
  return schema.indexes().map(([key, options]) => ({
    key: key as Record<string, 1 | -1>,
    unique: (options as { unique?: boolean }).unique === true,
  }));
}

function sameKey(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const left = Object.entries(a);
  const right = Object.entries(b);
  return (
    left.length === right.length &&
    left.every(([field, direction], i) => {
      const [otherField, otherDirection] = right[i];
      return field === otherField && Number(direction) === Number(otherDirection);
    })
  );
}

/** Creates the schemas' indexes, with the driver's default names like mongoose does. */
export async function createDeclaredIndexes(db: Db, kinds: SeededKind[]): Promise<void> {
  for (const kind of kinds) {
    const schema = SEEDED_SCHEMAS[kind];
    const indexes: IndexDescription[] = declaredIndexes(schema).map((spec) => ({
      key: spec.key,
      ...(spec.unique ? { unique: true } : {}),
    }));
    if (indexes.length > 0) await db.collection(collectionOf(schema)).createIndexes(indexes);
  }
}

/** Indexes declared by the schemas but missing (or not unique) in the database. */
export async function missingIndexes(db: Db, kinds: SeededKind[]): Promise<string[]> {
  const missing: string[] = [];
  for (const kind of kinds) {
    const schema = SEEDED_SCHEMAS[kind];
    const collection = collectionOf(schema);
    const existing = await db.collection(collection).listIndexes().toArray();
    for (const spec of declaredIndexes(schema)) {
      const found = existing.find((index) =>
        sameKey(index.key as Record<string, unknown>, spec.key),
      );
      if (!found || (spec.unique && found.unique !== true)) {
        missing.push(
          `${db.databaseName}.${collection} ${JSON.stringify(spec.key)}${spec.unique ? ' unique' : ''}`,
        );
      }
    }
  }
  return missing;
}
