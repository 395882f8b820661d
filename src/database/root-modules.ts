import type { DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { MongooseModule } from '@nestjs/mongoose';
import { configNamespaces } from '../config';

/**
 * The configuration every application context loads: all namespaces, validated at boot. The
 * entry point has already read `.env` (src/config/load-environment.ts).
 */
export function rootConfigModule(): ReturnType<typeof ConfigModule.forRoot> {
  return ConfigModule.forRoot({
    isGlobal: true,
    cache: true,
    load: configNamespaces,
    ignoreEnvFile: true,
  });
}

/** The MongoDB connection every application context opens (indexes built at boot). */
export function rootDatabaseModule(databaseUri: string): DynamicModule {
  return MongooseModule.forRoot(databaseUri, { autoIndex: true, serverSelectionTimeoutMS: 5000 });
}
