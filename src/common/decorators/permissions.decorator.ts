import { SetMetadata } from '@nestjs/common';
import type { Permission } from '../permissions/permission-catalogue';

export const PERMISSIONS_KEY = 'permissions';

/**
 * Permissions the caller's role must hold. `@Permissions()` with none means any
 * authenticated user (e.g. their own profile). Every non-public route declares it.
 */
export const Permissions = (...permissions: Permission[]) =>
  SetMetadata(PERMISSIONS_KEY, permissions);
