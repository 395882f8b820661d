import { DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { isEmail } from 'class-validator';
import { parseArgs } from 'node:util';
import { AuditLogsModule } from '../audit-logs/audit-logs.module';
import { loadEnvironment } from '../config/load-environment';
import { resolveDatabase } from '../database/resolve-database';
import { rootConfigModule, rootDatabaseModule } from '../database/root-modules';
import { UsersModule } from '../users/users.module';
import { UsersService } from '../users/users.service';
import { NAME_MAX_LENGTH, passwordProblems } from '../users/validation/user-fields';

const USAGE = `Usage: node dist/cli/create-admin.js --email <email> [--password <password>] [--name <name>]
       (from a development checkout: npm run create-admin -- --email <email> ...)

Creates an admin account, or makes an existing account an enabled admin.
  --email     the account's email (required)
  --password  required to create an account; for an existing account it replaces
              the password and signs out its sessions
  --name      display name of a new account (default: "Administrator")

Settings come from the environment and .env in the working directory, as for the server.
The database is MONGODB_URL when set, otherwise the embedded development database.`;

class UsageError extends Error {}

interface AdminInput {
  email: string;
  password?: string;
  name: string;
}

function parseInput(argv: string[]): AdminInput {
  let values: { email?: string; password?: string; name?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        email: { type: 'string' },
        password: { type: 'string' },
        name: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) throw new UsageError('');
  const problems: string[] = [];
  const email = values.email?.trim().toLowerCase() ?? '';
  if (!email) problems.push('--email is required');
  else if (!isEmail(email)) problems.push(`--email "${email}" is not an email address`);
  if (values.password !== undefined) {
    problems.push(
      ...passwordProblems(values.password).map((p) => p.replace(/^password/, '--password')),
    );
  }
  const name = (values.name ?? 'Administrator').trim();
  if (name.length < 1 || name.length > NAME_MAX_LENGTH) {
    problems.push(`--name must be 1 to ${NAME_MAX_LENGTH} characters`);
  }
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  return { email, password: values.password, name };
}

@Module({})
class CreateAdminModule {
  static register(databaseUri: string): DynamicModule {
    return {
      module: CreateAdminModule,
      imports: [rootConfigModule(), rootDatabaseModule(databaseUri), AuditLogsModule, UsersModule],
    };
  }
}

async function main(): Promise<void> {
  loadEnvironment();
  const input = parseInput(process.argv.slice(2));
  const log = (message: string) => process.stdout.write(`${message}\n`);
  const database = await resolveDatabase(log);
  try {
    const context = await NestFactory.createApplicationContext(
      CreateAdminModule.register(database.uri),
      { logger: ['error', 'warn'] },
    );
    try {
      const { grant, user } = await context.get(UsersService).grantAdmin(input);
      const who = `${user.email} (id ${String(user._id)})`;
      if (grant === 'created') log(`Created admin ${who}.`);
      else if (grant === 'promoted') log(`${who} is now an enabled admin.`);
      else log(`${who} was already an enabled admin.`);
      if (grant !== 'created' && input.password) {
        log('Its password was replaced and its sessions were signed out.');
      }
    } finally {
      await context.close();
    }
  } finally {
    await database.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(error.message ? `${error.message}\n\n${USAGE}\n` : `${USAGE}\n`);
      process.exit(error.message ? 2 : 0);
    }
    process.stderr.write(
      `create-admin failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
