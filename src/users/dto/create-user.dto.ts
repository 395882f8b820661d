import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { ROLES, type Role } from '../../common/permissions/permission-catalogue';
import { NewUserFieldsDto } from './user-fields.dto';

export class CreateUserDto extends NewUserFieldsDto {
  @ApiProperty({ enum: ROLES, example: 'user' })
  @IsIn(ROLES)
  role!: Role;
}
