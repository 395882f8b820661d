import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { EmailField, NameField, PasswordField } from '../validation/user-fields';

export class UpdateMeDto {
  @NameField({ optional: true })
  name?: string;

  @EmailField({ optional: true })
  email?: string;

  @PasswordField({ optional: true })
  password?: string;

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
