import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PaginationQueryDto } from '../../common/pagination/pagination.dto';
import { ROLES, type Role } from '../../common/permissions/permission-catalogue';

export const DEFAULT_USERS_PAGE_SIZE = 20;

export class ListUsersQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ description: 'Case-insensitive part of the name or email' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;
}
