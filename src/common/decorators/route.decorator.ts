import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation } from '@nestjs/swagger';
import type { Permission } from '../permissions/permission-catalogue';
import {
  ApiErrorResponses,
  type ErrorResponse,
  type ErrorStatus,
} from './api-error-responses.decorator';
import { hasIdParam } from './id-param.decorator';
import { Permissions } from './permissions.decorator';
import { Public } from './public.decorator';

export interface RouteOptions {
  /**
   * What the caller's role must hold: one permission, several (all of them), or
   * `'any-user'` for any signed-in user (e.g. their own profile).
   */
  permission: Permission | readonly Permission[] | 'any-user';
  summary: string;
  description?: string;
  /** Error statuses the route answers besides 401 (and 403 when a permission is required). */
  errors?: readonly ErrorResponse[];
}

export interface PublicRouteOptions {
  summary: string;
  description?: string;
  /** Error statuses the route answers; 401 and 403 here mean a refusal of what was sent. */
  errors?: readonly ErrorResponse[];
}

/** What 401 and 403 mean on a public route, where no access token is involved. */
const PUBLIC_MEANINGS: Partial<Record<ErrorStatus, string>> = {
  401: 'The credentials, token or signature sent were not accepted (reason in the message)',
  403: 'Refused (reason in the message)',
};

function operation(options: { summary: string; description?: string }) {
  return ApiOperation({
    summary: options.summary,
    ...(options.description === undefined ? {} : { description: options.description }),
  });
}

/**
 * A protected route: bearer auth, the permissions the guard checks, the
 * operation's summary and its error responses: 401 always, 403 when a
 * permission is required, 400 when the handler has an `@IdParam`.
 */
export function Route(options: RouteOptions): MethodDecorator {
  const permissions: Permission[] =
    options.permission === 'any-user'
      ? []
      : typeof options.permission === 'string'
        ? [options.permission]
        : [...options.permission];
  const standard: ErrorStatus[] = permissions.length > 0 ? [401, 403] : [401];
  return (target, propertyKey, descriptor) => {
    const implied: ErrorStatus[] = hasIdParam(descriptor.value) ? [400] : [];
    const listed = (options.errors ?? []).filter(
      (error) =>
        typeof error !== 'number' || !(standard.includes(error) || implied.includes(error)),
    );
    return applyDecorators(
      ApiBearerAuth(),
      Permissions(...permissions),
      operation(options),
      ApiErrorResponses(...standard, ...implied, ...listed),
    )(target, propertyKey, descriptor);
  };
}

/** A route without authentication: `@Public()`, the operation's summary and its error responses. */
export function PublicRoute(options: PublicRouteOptions) {
  const errors = (options.errors ?? []).map((error): ErrorResponse => {
    if (typeof error !== 'number') return error;
    const description = PUBLIC_MEANINGS[error];
    return description === undefined ? error : { status: error, description };
  });
  return applyDecorators(Public(), operation(options), ApiErrorResponses(...errors));
}
