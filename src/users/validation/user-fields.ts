import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsEmail,
  IsOptional,
  IsString,
  Length,
  MaxLength,
  ValidateBy,
  type ValidationArguments,
} from 'class-validator';

export const NAME_MAX_LENGTH = 100;
export const EMAIL_MAX_LENGTH = 254;
export const PASSWORD_MIN_LENGTH = 8;
/** bcrypt ignores everything after the 72nd byte. */
export const PASSWORD_MAX_BYTES = 72;

/** Every rule a new password breaks (empty when it is acceptable). */
export function passwordProblems(password: string): string[] {
  const problems: string[] = [];
  if (password.length < PASSWORD_MIN_LENGTH) {
    problems.push(`password must be at least ${PASSWORD_MIN_LENGTH} characters long`);
  }
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) {
    problems.push(`password must be at most ${PASSWORD_MAX_BYTES} bytes long`);
  }
  if (!/\p{L}/u.test(password) || !/\p{Nd}/u.test(password)) {
    problems.push('password must contain at least one letter and one number');
  }
  return problems;
}

function passwordMessage(args: ValidationArguments): string {
  return typeof args.value === 'string'
    ? passwordProblems(args.value).join('; ')
    : 'password must be a string';
}

const PASSWORD_DESCRIPTION = `${PASSWORD_MIN_LENGTH} characters to ${PASSWORD_MAX_BYTES} bytes, with at least one letter and one number`;

function isPassword() {
  return ValidateBy({
    name: 'isPassword',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' && passwordProblems(value).length === 0,
      defaultMessage: (args?: ValidationArguments) =>
        args ? passwordMessage(args) : 'password is not acceptable',
    },
  });
}

/** A new password (registration, reset, change). */
export function PasswordField(options: { optional?: boolean } = {}) {
  const doc = { example: 'n3w-Passw0rd', description: PASSWORD_DESCRIPTION, format: 'password' };
  return applyDecorators(
    ...(options.optional ? [ApiPropertyOptional(doc), IsOptional()] : [ApiProperty(doc)]),
    isPassword(),
  );
}

function normalizeEmail({ value }: { value: unknown }): unknown {
  return typeof value === 'string' ? value.trim().toLowerCase() : value;
}

/** An email address, compared case-insensitively (stored lower-cased). */
export function EmailField(options: { optional?: boolean } = {}) {
  const doc = { example: 'jane@example.com', maxLength: EMAIL_MAX_LENGTH };
  return applyDecorators(
    ...(options.optional ? [ApiPropertyOptional(doc), IsOptional()] : [ApiProperty(doc)]),
    Transform(normalizeEmail),
    IsEmail(),
    MaxLength(EMAIL_MAX_LENGTH),
  );
}

function trim({ value }: { value: unknown }): unknown {
  return typeof value === 'string' ? value.trim() : value;
}

/** A display name, 1 to 100 characters after trimming. */
export function NameField(options: { optional?: boolean } = {}) {
  const doc = { example: 'Jane Doe', minLength: 1, maxLength: NAME_MAX_LENGTH };
  return applyDecorators(
    ...(options.optional ? [ApiPropertyOptional(doc), IsOptional()] : [ApiProperty(doc)]),
    Transform(trim),
    IsString(),
    Length(1, NAME_MAX_LENGTH),
  );
}
