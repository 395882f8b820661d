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

export class AuthResponseDto {
  @ApiProperty({ type: UserResponseDto })
  user!: UserResponseDto;

  @ApiProperty({ type: AuthTokensDto })
  tokens!: AuthTokensDto;
}
