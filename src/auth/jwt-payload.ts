import type { Role } from '../common/permissions/permission-catalogue';

export const ACCESS_TOKEN_TYPE = 'access';

export interface AccessTokenPayload {
  sub: string;
  role: Role;
  type: typeof ACCESS_TOKEN_TYPE;
  iat?: number;
  exp?: number;
}
