import { Body, Controller, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { RequestContext } from '../audit-logs/audit-logs.service';
import { CurrentUser, PublicRoute, ReqContext, Route, type AuthUser } from '../common/decorators';
import { AuthRateLimit } from './auth-throttler.guard';
import { toAuthResponse, toRefreshTokensResponse } from './auth.mapper';
import { AuthService } from './auth.service';
import { AuthResponseDto, RefreshTokensResponseDto } from './dto/auth-response.dto';
import { ForgotPasswordDto } from './dto/forgot-password.dto';
import { LoginDto } from './dto/login.dto';
import { RefreshTokenDto } from './dto/refresh-token.dto';
import { RegisterDto } from './dto/register.dto';
import { ResetPasswordDto } from './dto/reset-password.dto';
import { TokenQueryDto } from './dto/token-query.dto';

@ApiTags('Auth')
@Controller('v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @PublicRoute({ summary: 'Create an account and sign in', errors: [400, 409] })
  @AuthRateLimit()
  @Post('register')
  @ApiCreatedResponse({ type: AuthResponseDto })
  async register(
    @Body() dto: RegisterDto,
    @ReqContext() context: RequestContext,
  ): Promise<AuthResponseDto> {
    return toAuthResponse(await this.auth.register(dto, context));
  }

  @PublicRoute({
    summary: 'Sign in with email and password',
    errors: [
      400,
      { status: 401, description: 'Incorrect email or password' },
      { status: 403, description: 'The account is disabled' },
    ],
  })
  @AuthRateLimit()
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: AuthResponseDto })
  async login(
    @Body() dto: LoginDto,
    @ReqContext() context: RequestContext,
  ): Promise<AuthResponseDto> {
    return toAuthResponse(await this.auth.login(dto, context));
  }

  @PublicRoute({
    summary: 'Sign out: revoke the session of a refresh token',
    description:
      'Idempotent: an unknown, expired or already revoked refresh token also answers 204, ' +
      'since the session is over either way.',
    errors: [400],
  })
  @Post('logout')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Signed out (or the session was already over)' })
  async logout(@Body() dto: RefreshTokenDto, @ReqContext() context: RequestContext): Promise<void> {
    await this.auth.logout(dto.refreshToken, context);
  }

  @PublicRoute({
    summary: 'Exchange a refresh token for a new token pair',
    description:
      'The refresh token is single use. Presenting an already used one revokes its whole session. ' +
      'The new pair is returned at the top level (`access`, `refresh`) and again under `tokens`.',
    errors: [
      400,
      { status: 401, description: 'Unknown, expired, revoked or already used refresh token' },
    ],
  })
  @AuthRateLimit()
  @Post('refresh-tokens')
  @HttpCode(200)
  @ApiOkResponse({ type: RefreshTokensResponseDto })
  async refreshTokens(
    @Body() dto: RefreshTokenDto,
    @ReqContext() context: RequestContext,
  ): Promise<RefreshTokensResponseDto> {
    return toRefreshTokensResponse(await this.auth.refresh(dto.refreshToken, context));
  }

  @PublicRoute({
    summary: 'Email a password-reset link',
    description: 'Answers 204 whether or not the email is registered. The link is valid once.',
    errors: [400],
  })
  @AuthRateLimit()
  @Post('forgot-password')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Accepted' })
  async forgotPassword(
    @Body() dto: ForgotPasswordDto,
    @ReqContext() context: RequestContext,
  ): Promise<void> {
    await this.auth.forgotPassword(dto.email, context);
  }

  @PublicRoute({
    summary: 'Set a new password with the emailed token',
    description: 'Signs out every session of the user.',
    errors: [400, { status: 401, description: 'Invalid, expired or already used reset token' }],
  })
  @Post('reset-password')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Password changed' })
  async resetPassword(
    @Query() query: TokenQueryDto,
    @Body() dto: ResetPasswordDto,
    @ReqContext() context: RequestContext,
  ): Promise<void> {
    await this.auth.resetPassword(query.token, dto.password, context);
  }

  @Route({
    permission: 'any-user',
    summary: 'Email a verification link to the signed-in user',
    errors: [409],
  })
  @AuthRateLimit()
  @Post('send-verification-email')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Sent' })
  async sendVerificationEmail(
    @CurrentUser() caller: AuthUser,
    @ReqContext() context: RequestContext,
  ): Promise<void> {
    await this.auth.sendVerificationEmail(caller.id, context);
  }

  @PublicRoute({
    summary: 'Mark the email verified with the emailed token',
    errors: [
      400,
      { status: 401, description: 'Invalid, expired or already used verification token' },
    ],
  })
  @Post('verify-email')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Verified' })
  async verifyEmail(
    @Query() query: TokenQueryDto,
    @ReqContext() context: RequestContext,
  ): Promise<void> {
    await this.auth.verifyEmail(query.token, context);
  }
}
