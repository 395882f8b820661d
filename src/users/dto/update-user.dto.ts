import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { ROLES, type Role } from '../../common/permissions/permission-catalogue';
import { EmailField, NameField, PasswordField } from '../validation/user-fields';

export class UpdateUserDto {
  @NameField({ optional: true })
  name?: string;

  @EmailField({ optional: true })
  email?: string;

  @PasswordField({ optional: true })
  password?: string;

  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ description: 'Disabled users cannot sign in; their tokens stop working' })
  @IsOptional()
  @IsBoolean()
  isDisabled?: boolean;
}
