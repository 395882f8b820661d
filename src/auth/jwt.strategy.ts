import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { UnauthorizedError } from '../common/errors';
import { isObjectIdString } from '../common/utils/object-id';
import { authConfig, type AuthConfig } from '../config/auth.config';
import { UsersRepository } from '../users/users.repository';
import { AuthUserCache } from '../credentials/auth-user.cache';
import { ACCESS_TOKEN_TYPE, type AccessTokenPayload } from './jwt-payload';

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(authConfig.KEY) config: AuthConfig,
    private readonly users: UsersRepository,
    private readonly cache: AuthUserCache,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwtSecret,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  async validate(payload: AccessTokenPayload): Promise<AuthUser> {
    if (payload.type !== ACCESS_TOKEN_TYPE || typeof payload.sub !== 'string') {
      throw new UnauthorizedError('Not an access token');
    }
    if (!isObjectIdString(payload.sub)) throw new UnauthorizedError('Invalid access token');
    const state = await this.cache.get(payload.sub, () =>
      this.users.findAuthStateById(payload.sub),
    );
    if (!state) throw new UnauthorizedError('User no longer exists');
    if (state.isDisabled) throw new UnauthorizedError('User is disabled');
    return { id: payload.sub, role: state.role, email: state.email };
  }
}
