import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { ROLES, type Role } from '../../common/permissions/permission-catalogue';
import { UserFieldChangesDto } from './user-fields.dto';

export class UpdateUserDto extends UserFieldChangesDto {
  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ description: 'Disabled users cannot sign in; their tokens stop working' })
  @IsOptional()
  @IsBoolean()
  isDisabled?: boolean;
}
