import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { compare, hash } from 'bcrypt';
import { authConfig, type AuthConfig } from '../config/auth.config';

/** bcrypt with the configured cost. */
@Injectable()
export class PasswordHasher implements OnModuleInit {
  private dummyHash?: Promise<string>;

  constructor(@Inject(authConfig.KEY) private readonly config: AuthConfig) {}

  async onModuleInit(): Promise<void> {
    await this.dummy();
  }

  hash(password: string): Promise<string> {
    return hash(password, this.config.bcryptCost);
  }

  verify(password: string, passwordHash: string): Promise<boolean> {
    return compare(password, passwordHash);
  }

  /**
   * Costs as much as {@link verify} and always fails: used when no account matches,
   * so the response time does not tell whether an email is registered.
   */
  async verifyAgainstNothing(password: string): Promise<false> {
    await compare(password, await this.dummy());
    return false;
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= hash('no-account-has-this-password-1', this.config.bcryptCost);
    return this.dummyHash;
  }
}
