import {
  type ArgumentMetadata,
  ValidationError as ClassValidatorError,
  ValidationPipe,
} from '@nestjs/common';
import type { ValidatorOptions } from 'class-validator';
import { ValidationError } from '../errors';
import { dropNestedBlankOptionals, withoutBlankOptionals } from './blank-optional-fields';

export interface FieldProblem {
  field: string;
  messages: string[];
}

function flatten(errors: ClassValidatorError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/**
 * Nest's pipe, with one rule added for every DTO: an optional property sent as `""`
 * is treated as not given (before conversion, so `?limit=` is no limit rather than 0).
 */
class AppValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    return super.transform(withoutBlankOptionals(value, metadata.metatype), metadata);
  }

  protected override validate(
    object: object,
    validatorOptions?: ValidatorOptions,
  ): Promise<ClassValidatorError[]> | ClassValidatorError[] {
    dropNestedBlankOptionals(object);
    return super.validate(object, validatorOptions);
  }
}

/**
 * The global pipe: whitelist, forbid unknown fields, transform, blank optional fields
 * as absent, per-field details on failure.
 */
export function createValidationPipe(): ValidationPipe {
  return new AppValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationError('Validation failed', flatten(errors)),
  });
}
