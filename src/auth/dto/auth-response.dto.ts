import { ApiProperty } from '@nestjs/swagger';
import { UserResponseDto } from '../../users/dto/user-response.dto';

export class TokenDto {
  @ApiProperty()
  token!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  expires!: string;
}

export class AuthTokensDto {
  @ApiProperty({ type: TokenDto, description: 'JWT for `Authorization: Bearer`' })
  access!: TokenDto;

  @ApiProperty({
    type: TokenDto,
    description: 'Opaque, single use: exchange it at /v1/auth/refresh-tokens for a new pair',
  })
  refresh!: TokenDto;
}

/**
 * The new pair of `POST /v1/auth/refresh-tokens`, at the top level and again under
 * `tokens` (the shape of the login and register answers), so clients reading either
 * find it.
 */
export class RefreshTokensResponseDto extends AuthTokensDto {
  @ApiProperty({ type: AuthTokensDto, description: 'The same pair as `access` and `refresh`' })
  tokens!: AuthTokensDto;
}

export class AuthResponseDto {
  @ApiProperty({ type: UserResponseDto })
  user!: UserResponseDto;

  @ApiProperty({ type: AuthTokensDto })
  tokens!: AuthTokensDto;
}
