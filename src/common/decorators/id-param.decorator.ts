import { Param } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { ParseObjectIdPipe } from '../pipes/parse-object-id.pipe';
import { OBJECT_ID_OPENAPI_PATTERN } from '../utils/object-id';

/** `accountId` → `Account id`. */
function labelOf(name: string): string {
  const words = name
    .replace(/Id$/, '')
    .replace(/([A-Z])/g, ' $1')
    .toLowerCase();
  return `${words.charAt(0).toUpperCase()}${words.slice(1)} id`;
}

const ID_PARAM_KEY = 'idParam';

/** Whether a handler has an {@link IdParam} (so it can answer 400). */
export function hasIdParam(handler: unknown): boolean {
  return typeof handler === 'function' && Reflect.getMetadata(ID_PARAM_KEY, handler) === true;
}

/**
 * A path parameter holding an ObjectId: refused with 400 unless it is 24 hex
 * characters (answered in lower case), documented with that pattern; `@Route`
 * documents the 400. `label` names it in the docs (default: from the name,
 * `accountId` → `Account id`).
 */
export function IdParam(name: string, label = labelOf(name)): ParameterDecorator {
  return (target, propertyKey, index) => {
    Param(name, ParseObjectIdPipe)(target, propertyKey, index);
    if (propertyKey === undefined) return;
    const descriptor = Object.getOwnPropertyDescriptor(target, propertyKey);
    if (!descriptor) return;
    ApiParam({
      name,
      description: `${label} (24 hex characters)`,
      schema: { type: 'string', pattern: OBJECT_ID_OPENAPI_PATTERN },
    })(target, propertyKey, descriptor);
    Reflect.defineMetadata(ID_PARAM_KEY, true, descriptor.value as object);
  };
}
