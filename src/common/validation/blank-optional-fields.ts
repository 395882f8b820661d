import { getMetadataStorage, IS_OPTIONAL, ValidationTypes } from 'class-validator';
import { isRecord } from '../utils/is-record';

type DtoClass = abstract new (...args: never[]) => unknown;

const optionalByClass = new WeakMap<DtoClass, ReadonlySet<string>>();

/** The properties a DTO class (or one it extends) declares with `@IsOptional()`. */
export function optionalProperties(type: DtoClass): ReadonlySet<string> {
  let properties = optionalByClass.get(type);
  if (!properties) {
    properties = new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(type, '', false, false)
        .filter(
          (rule) =>
            rule.type === ValidationTypes.CONDITIONAL_VALIDATION && rule.name === IS_OPTIONAL,
        )
        .map((rule) => rule.propertyName),
    );
    optionalByClass.set(type, properties);
  }
  return properties;
}

/**
 * A copy of a request object without the optional properties of `type` that were
 * sent as the empty string: in an optional field, `""` means "not given" (as empty
 * form inputs arrive). Required properties are kept, so `""` still fails their rules.
 */
export function withoutBlankOptionals(value: unknown, type: unknown): unknown {
  if (!isRecord(value) || typeof type !== 'function') return value;
  const optional = optionalProperties(type as DtoClass);
  if (optional.size === 0) return value;
  const copy = { ...value };
  for (const key of optional) if (copy[key] === '') delete copy[key];
  return copy;
}

/**
 * The same rule for the nested DTOs of a transformed request object (instances of
 * their classes, possibly in arrays): their blank optional properties are deleted
 * in place.
 */
export function dropNestedBlankOptionals(entity: object): void {
  for (const child of Object.values(entity)) {
    for (const item of Array.isArray(child) ? child : [child]) {
      if (!isRecord(item) || Object.getPrototypeOf(item) === Object.prototype) continue;
      for (const key of optionalProperties(item.constructor as DtoClass)) {
        if (item[key] === '') delete item[key];
      }
      dropNestedBlankOptionals(item);
    }
  }
}
