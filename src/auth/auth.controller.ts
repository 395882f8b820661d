import { Body, Controller, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { RequestContext } from '../audit-logs/audit-logs.service';
import {
  ApiErrorResponses,
  CurrentUser,
  Permissions,
  Public,
  ReqContext,
  type AuthUser,
} from '../common/decorators';
import { toUserResponse } from '../users/dto/user-response.dto';
import { AuthRateLimit } from './auth-throttler.guard';
import { AuthService, type AuthResult } from './auth.service';
import { AuthResponseDto, RefreshTokensResponseDto } from './dto/auth-response.dto';
import { ForgotPasswordDto } from './dto/forgot-password.dto';
import { LoginDto } from './dto/login.dto';
import { RefreshTokenDto } from './dto/refresh-token.dto';
import { RegisterDto } from './dto/register.dto';
import { ResetPasswordDto } from './dto/reset-password.dto';
import { TokenQueryDto } from './dto/token-query.dto';

function toAuthResponse(result: AuthResult): AuthResponseDto {
  return { user: toUserResponse(result.user), tokens: result.tokens };
}

@ApiTags('Auth')
@Controller('v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @AuthRateLimit()
  @Post('register')
  @ApiOperation({ summary: 'Create an account and sign in' })
  @ApiCreatedResponse({ type: AuthResponseDto })
  @ApiErrorResponses(400, 409)
  async register(
    @Body() dto: RegisterDto,
    @ReqContext() context: RequestContext,
  ): Promise<AuthResponseDto> {
    return toAuthResponse(await this.auth.register(dto, context));
  }

  @Public()
  @AuthRateLimit()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with email and password' })
  @ApiOkResponse({ type: AuthResponseDto })
  @ApiErrorResponses(400, 401, 403)
  async login(
    @Body() dto: LoginDto,
    @ReqContext() context: RequestContext,
  ): Promise<AuthResponseDto> {
    return toAuthResponse(await this.auth.login(dto, context));
  }

  @Public()
  @Post('logout')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Sign out: revoke the session of a refresh token',
    description:
      'Idempotent: an unknown, expired or already revoked refresh token also answers 204, ' +
      'since the session is over either way.',
  })
  @ApiNoContentResponse({ description: 'Signed out (or the session was already over)' })
  @ApiErrorResponses(400)
  async logout(@Body() dto: RefreshTokenDto, @ReqContext() context: RequestContext): Promise<void> {
    await this.auth.logout(dto.refreshToken, context);
  }

  @Public()
  @AuthRateLimit()
  @Post('refresh-tokens')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Exchange a refresh token for a new token pair',
    description:
      'The refresh token is single use. Presenting an already used one revokes its whole session. ' +
      'The new pair is returned at the top level (`access`, `refresh`) and again under `tokens`.',
  })
  @ApiOkResponse({ type: RefreshTokensResponseDto })
  @ApiErrorResponses(400, 401)
  async refreshTokens(
    @Body() dto: RefreshTokenDto,
    @ReqContext() context: RequestContext,
  ): Promise<RefreshTokensResponseDto> {
    const tokens = await this.auth.refresh(dto.refreshToken, context);
    return { ...tokens, tokens };
  }

  @Public()
  @AuthRateLimit()
  @Post('forgot-password')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Email a password-reset link',
    description: 'Answers 204 whether or not the email is registered. The link is valid once.',
  })
  @ApiNoContentResponse({ description: 'Accepted' })
  @ApiErrorResponses(400)
  async forgotPassword(
    @Body() dto: ForgotPasswordDto,
    @ReqContext() context: RequestContext,
  ): Promise<void> {
    await this.auth.forgotPassword(dto.email, context);
  }

  @Public()
  @Post('reset-password')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Set a new password with the emailed token',
    description: 'Signs out every session of the user.',
  })
  @ApiNoContentResponse({ description: 'Password changed' })
  @ApiErrorResponses(400, 401)
  async resetPassword(
    @Query() query: TokenQueryDto,
    @Body() dto: ResetPasswordDto,
    @ReqContext() context: RequestContext,
  ): Promise<void> {
    await this.auth.resetPassword(query.token, dto.password, context);
  }

  @Permissions()
  @AuthRateLimit()
  @Post('send-verification-email')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Email a verification link to the signed-in user' })
  @ApiNoContentResponse({ description: 'Sent' })
  @ApiErrorResponses(401, 409)
  async sendVerificationEmail(
    @CurrentUser() caller: AuthUser,
    @ReqContext() context: RequestContext,
  ): Promise<void> {
    await this.auth.sendVerificationEmail(caller.id, context);
  }

  @Public()
  @Post('verify-email')
  @HttpCode(204)
  @ApiOperation({ summary: 'Mark the email verified with the emailed token' })
  @ApiNoContentResponse({ description: 'Verified' })
  @ApiErrorResponses(400, 401)
  async verifyEmail(
    @Query() query: TokenQueryDto,
    @ReqContext() context: RequestContext,
  ): Promise<void> {
    await this.auth.verifyEmail(query.token, context);
  }
}
