import { Inject, Injectable } from '@nestjs/common';
import { AuditLogsService, type RequestContext } from '../audit-logs/audit-logs.service';
import { ConflictError, ForbiddenError, UnauthorizedError } from '../common/errors';
import { appConfig, type AppConfig } from '../config/app.config';
import { authConfig, type AuthConfig } from '../config/auth.config';
import { MailService } from '../mail/mail.service';
import { UsersRepository, type UserRecord } from '../users/users.repository';
import { UsersService } from '../users/users.service';
import { passwordResetMail, verificationMail } from './auth-mails';
import type { AuthTokensDto } from './dto/auth-response.dto';
import type { LoginDto } from './dto/login.dto';
import type { RegisterDto } from './dto/register.dto';
import { OneTimeTokensRepository } from '../credentials/one-time-tokens.repository';
import { generateOpaqueToken, hashOpaqueToken } from '../credentials/opaque-token';
import { PasswordHasher } from '../credentials/password-hasher';
import { RefreshTokensRepository } from '../credentials/refresh-tokens.repository';
import { TokensService } from './tokens.service';

export interface AuthResult {
  user: UserRecord;
  tokens: AuthTokensDto;
}

const INVALID_REFRESH_TOKEN = 'Invalid or expired refresh token';

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersRepository,
    private readonly usersService: UsersService,
    private readonly tokens: TokensService,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly oneTimeTokens: OneTimeTokensRepository,
    private readonly passwords: PasswordHasher,
    private readonly mail: MailService,
    private readonly audit: AuditLogsService,
    @Inject(authConfig.KEY) private readonly config: AuthConfig,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
  ) {}

  async register(dto: RegisterDto, context: RequestContext): Promise<AuthResult> {
    const user = await this.usersService.createAccount({ ...dto, role: 'user' });
    const userId = String(user._id);
    const { tokens } = await this.tokens.startSession(user);
    await this.audit.record({
      action: 'user.registered',
      context: { ...context, userId },
      metadata: { email: user.email },
    });
    return { user, tokens };
  }

  async login(dto: LoginDto, context: RequestContext): Promise<AuthResult> {
    const found = await this.users.findByEmailWithPassword(dto.email);
    const valid = found
      ? await this.passwords.verify(dto.password, found.passwordHash)
      : await this.passwords.verifyAgainstNothing(dto.password);
    if (!found || !valid) {
      await this.audit.record({
        action: 'user.login_failed',
        context,
        subjectUserId: found ? String(found._id) : undefined,
        metadata: { email: dto.email, reason: found ? 'wrong-password' : 'unknown-email' },
      });
      throw new UnauthorizedError('Incorrect email or password');
    }
    const { passwordHash: _omit, ...user } = found;
    const userId = String(user._id);
    if (user.isDisabled) {
      await this.audit.record({
        action: 'user.login_failed',
        context,
        subjectUserId: userId,
        metadata: { email: dto.email, reason: 'disabled' },
      });
      throw new ForbiddenError('This account is disabled');
    }
    const { tokens } = await this.tokens.startSession(user);
    await this.audit.record({ action: 'user.login', context: { ...context, userId } });
    return { user, tokens };
  }

  /**
   * Ends the session (the refresh-token family) the token belongs to. Idempotent: a
   * token that is unknown, expired or revoked leaves nothing to end; an already used
   * one still revokes its family, as a replay does at refresh.
   */
  async logout(refreshToken: string, context: RequestContext): Promise<void> {
    const tokenHash = hashOpaqueToken(refreshToken);
    const now = new Date();
    const record = await this.refreshTokens.findUsableByHash(tokenHash, now);
    if (!record) {
      await this.detectReplay(tokenHash, context);
      return;
    }
    await this.refreshTokens.revokeFamily(record.user, record.family, now);
    await this.audit.record({
      action: 'user.logout',
      context: { ...context, userId: String(record.user) },
    });
  }

  /**
   * Rotation: the presented token is marked used and a new pair is issued in the same
   * family. A token presented again after its use reveals a replay: the whole family
   * is revoked, so both the thief and the victim must sign in again.
   */
  async refresh(refreshToken: string, context: RequestContext): Promise<AuthTokensDto> {
    const tokenHash = hashOpaqueToken(refreshToken);
    const now = new Date();
    const consumed = await this.refreshTokens.consume(tokenHash, now);
    if (!consumed) {
      await this.detectReplay(tokenHash, context);
      throw new UnauthorizedError(INVALID_REFRESH_TOKEN);
    }
    const user = await this.users.findAuthStateById(String(consumed.user));
    if (!user || user.isDisabled) {
      await this.refreshTokens.revokeFamily(consumed.user, consumed.family, now);
      throw new UnauthorizedError(INVALID_REFRESH_TOKEN);
    }
    const issued = await this.tokens.issue(user, consumed.family);
    await this.refreshTokens.setReplacedBy(consumed._id, issued.refreshTokenId);
    return issued.tokens;
  }

  /**
   * Always succeeds, whether or not the email is registered; the link is only sent by
   * email, and the response does not wait for the mail server.
   */
  async forgotPassword(email: string, context: RequestContext): Promise<void> {
    const user = await this.users.findByEmail(email);
    if (user && !user.isDisabled) {
      const token = generateOpaqueToken();
      const minutes = this.config.resetPasswordExpirationMinutes;
      await this.oneTimeTokens.replace({
        userId: String(user._id),
        purpose: 'reset-password',
        tokenHash: hashOpaqueToken(token),
        expiresAt: new Date(Date.now() + minutes * 60_000),
      });
      this.mail.dispatch(
        passwordResetMail({
          appUrl: this.app.appUrl,
          to: user.email,
          name: user.name,
          token,
          expiresInMinutes: minutes,
        }),
      );
    }
    await this.audit.record({
      action: 'user.password_reset_requested',
      context,
      subjectUserId: user ? String(user._id) : undefined,
      metadata: { email, matched: user !== null },
    });
  }

  /** Sets the new password and ends every session of the user. */
  async resetPassword(token: string, password: string, context: RequestContext): Promise<void> {
    const record = await this.oneTimeTokens.consume(
      'reset-password',
      hashOpaqueToken(token),
      new Date(),
    );
    const invalid = () => new UnauthorizedError('Invalid or expired password reset token');
    if (!record) throw invalid();
    const userId = String(record.user);
    const updated = await this.users.update(userId, {
      passwordHash: await this.passwords.hash(password),
    });
    if (!updated) throw invalid();
    await this.refreshTokens.revokeAllForUser(userId, new Date());
    await this.audit.record({ action: 'user.password_reset', context, subjectUserId: userId });
  }

  async sendVerificationEmail(userId: string, context: RequestContext): Promise<void> {
    const user = await this.usersService.getById(userId);
    if (user.isEmailVerified) throw new ConflictError('Email is already verified');
    const token = generateOpaqueToken();
    const hours = this.config.verifyEmailExpirationHours;
    await this.oneTimeTokens.replace({
      userId,
      purpose: 'verify-email',
      tokenHash: hashOpaqueToken(token),
      expiresAt: new Date(Date.now() + hours * 3_600_000),
    });
    this.mail.dispatch(
      verificationMail({
        appUrl: this.app.appUrl,
        to: user.email,
        name: user.name,
        token,
        expiresInHours: hours,
      }),
    );
    await this.audit.record({
      action: 'user.email_verification_sent',
      context,
      metadata: { email: user.email },
    });
  }

  async verifyEmail(token: string, context: RequestContext): Promise<void> {
    const record = await this.oneTimeTokens.consume(
      'verify-email',
      hashOpaqueToken(token),
      new Date(),
    );
    const invalid = () => new UnauthorizedError('Invalid or expired email verification token');
    if (!record) throw invalid();
    const userId = String(record.user);
    const updated = await this.users.update(userId, { isEmailVerified: true });
    if (!updated) throw invalid();
    await this.audit.record({
      action: 'user.email_verified',
      context,
      subjectUserId: userId,
      metadata: { email: updated.email },
    });
  }

  /** A used token presented again: revoke its whole family and record the replay. */
  private async detectReplay(tokenHash: string, context: RequestContext): Promise<void> {
    const known = await this.refreshTokens.findByHash(tokenHash);
    if (!known?.usedAt) return;
    await this.refreshTokens.revokeFamily(known.user, known.family, new Date());
    await this.audit.record({
      action: 'user.refresh_token_reused',
      context,
      subjectUserId: String(known.user),
      metadata: { family: known.family },
    });
  }
}
