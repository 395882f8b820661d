import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AuthUserCache } from './auth-user.cache';
import { OneTimeTokensRepository } from './one-time-tokens.repository';
import { PasswordHasher } from './password-hasher';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { OneTimeToken, OneTimeTokenSchema } from './schemas/one-time-token.schema';
import { RefreshToken, RefreshTokenSchema } from './schemas/refresh-token.schema';

/**
 * Stored credentials other than the user document: refresh and one-time tokens,
 * password hashing and the authentication cache. Used by both the auth and the
 * users features (password change, disabling and deleting users end sessions).
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: RefreshToken.name, schema: RefreshTokenSchema },
      { name: OneTimeToken.name, schema: OneTimeTokenSchema },
    ]),
  ],
  providers: [RefreshTokensRepository, OneTimeTokensRepository, PasswordHasher, AuthUserCache],
  exports: [RefreshTokensRepository, OneTimeTokensRepository, PasswordHasher, AuthUserCache],
})
export class CredentialsModule {}
