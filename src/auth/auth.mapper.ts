import { toUserResponse } from '../users/users.mapper';
import type { AuthResult } from './auth.service';
import type {
  AuthResponseDto,
  AuthTokensDto,
  RefreshTokensResponseDto,
} from './dto/auth-response.dto';

export function toAuthResponse(result: AuthResult): AuthResponseDto {
  return { user: toUserResponse(result.user), tokens: result.tokens };
}

/** The new pair at the top level and again under `tokens`. */
export function toRefreshTokensResponse(tokens: AuthTokensDto): RefreshTokensResponseDto {
  return { ...tokens, tokens };
}
