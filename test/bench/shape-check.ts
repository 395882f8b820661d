import { createConnection } from 'mongoose';
import type { Document } from 'mongodb';
import { collectionOf, SEEDED_SCHEMAS, type SeededKind } from './schema-indexes';

const WRITTEN_BY_MONGOOSE = new Set(['createdAt', 'updatedAt', '__v']);

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'date';
  if (typeof value === 'object' && '_bsontype' in value) {
    return String(value._bsontype);
  }
  return typeof value;
}

/**
 * Stores one seeded document of each kind through mongoose with the application's schema
 * (defaults, timestamps, minimize, casting) in a scratch database and lists every field
 * whose presence or type differs from what the seeder writes directly.
 */
export async function shapeDifferences(
  serverUri: string,
  scratchDatabase: string,
  samples: Record<SeededKind, Document>,
): Promise<string[]> {
  const connection = await createConnection(`${serverUri}/${scratchDatabase}`, {
    autoIndex: false,
    serverSelectionTimeoutMS: 5000,
  }).asPromise();
  const differences: string[] = [];
  try {
    for (const kind of Object.keys(samples) as SeededKind[]) {
      const schema = SEEDED_SCHEMAS[kind];
      const seeded = samples[kind];
      const input = Object.fromEntries(
        Object.entries(seeded).filter(([field]) => !WRITTEN_BY_MONGOOSE.has(field)),
      );
      const model = connection.model(`Shape${kind}`, schema, collectionOf(schema));
      await model.create(input);
      const stored = await connection.db
        ?.collection(collectionOf(schema))
        .findOne({ _id: seeded._id as never });
      if (!stored) {
        differences.push(`${kind}: the sample was not stored`);
        continue;
      }
      for (const field of new Set([...Object.keys(stored), ...Object.keys(seeded)])) {
        const app = field in stored ? typeName(stored[field]) : 'absent';
        const bench = field in seeded ? typeName(seeded[field]) : 'absent';
        if (app !== bench) {
          differences.push(`${kind}.${field}: the app stores ${app}, the seeder writes ${bench}`);
        }
      }
    }
  } finally {
    await connection.dropDatabase().catch(() => undefined);
    await connection.close();
  }
  return differences;
}
