import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthUser } from '../decorators/current-user.decorator';
import { PERMISSIONS_KEY } from '../decorators/permissions.decorator';
import { IS_PUBLIC_KEY } from '../decorators/public.decorator';
import { ForbiddenError } from '../errors';
import { roleHasPermission, type Permission } from '../permissions/permission-catalogue';

/** Global: checks `@Permissions(...)`; a protected route that declares none is refused. */
@Injectable()
export class PermissionsGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;
    const required = this.reflector.getAllAndOverride<Permission[] | undefined>(
      PERMISSIONS_KEY,
      targets,
    );
    if (required === undefined) throw new ForbiddenError('Route declares no permissions');
    const user = context.switchToHttp().getRequest<{ user?: AuthUser }>().user;
    if (!user) throw new ForbiddenError('Not authenticated');
    const missing = required.filter((permission) => !roleHasPermission(user.role, permission));
    if (missing.length > 0) {
      throw new ForbiddenError(`Missing permission: ${missing.join(', ')}`, [{ missing }]);
    }
    return true;
  }
}
