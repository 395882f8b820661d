import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { UserFieldChangesDto } from './user-fields.dto';

export class UpdateMeDto extends UserFieldChangesDto {
  @ApiPropertyOptional({ description: 'Required to change the password', format: 'password' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  currentPassword?: string;

  @ApiPropertyOptional({
    description:
      'The refresh token of this session. A password change signs out every session; ' +
      'the one this token belongs to is kept when it is given.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  refreshToken?: string;
}
