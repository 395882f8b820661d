import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { randomBytes } from 'node:crypto';
import { authConfig, type AuthConfig } from '../config/auth.config';
import type { AuthTokensDto } from './dto/auth-response.dto';
import { ACCESS_TOKEN_TYPE, type AccessTokenPayload } from './jwt-payload';
import { generateOpaqueToken, hashOpaqueToken } from '../credentials/opaque-token';
import {
  RefreshTokensRepository,
  type RefreshTokenId,
} from '../credentials/refresh-tokens.repository';
import type { UserRecord } from '../users/users.repository';

/** What minting a user's tokens needs to know of them. */
type TokenSubject = Pick<UserRecord, '_id' | 'role'>;

export interface IssuedTokens {
  tokens: AuthTokensDto;
  /** The stored refresh token, so its predecessor can point at it. */
  refreshTokenId: RefreshTokenId;
}

/** Mints access JWTs and stores refresh tokens (hashed). */
@Injectable()
export class TokensService {
  constructor(
    private readonly jwt: JwtService,
    private readonly refreshTokens: RefreshTokensRepository,
    @Inject(authConfig.KEY) private readonly config: AuthConfig,
  ) {}

  /** A new session: a fresh refresh-token family. */
  startSession(user: TokenSubject): Promise<IssuedTokens> {
    return this.issue(user, randomBytes(16).toString('hex'));
  }

  /** The next pair of an existing session (after its refresh token was used). */
  async issue(user: TokenSubject, family: string): Promise<IssuedTokens> {
    const now = Date.now();
    const accessExpires = new Date(now + this.config.accessExpirationMinutes * 60_000);
    const refreshExpires = new Date(now + this.config.refreshExpirationDays * 86_400_000);
    const payload: AccessTokenPayload = {
      sub: String(user._id),
      role: user.role,
      type: ACCESS_TOKEN_TYPE,
      iat: Math.floor(now / 1000),
      exp: Math.floor(accessExpires.getTime() / 1000),
    };
    const accessToken = await this.jwt.signAsync(payload);
    const refreshToken = generateOpaqueToken();
    const refreshTokenId = await this.refreshTokens.create({
      userId: String(user._id),
      family,
      tokenHash: hashOpaqueToken(refreshToken),
      expiresAt: refreshExpires,
    });
    return {
      tokens: {
        access: { token: accessToken, expires: accessExpires.toISOString() },
        refresh: { token: refreshToken, expires: refreshExpires.toISOString() },
      },
      refreshTokenId,
    };
  }
}
