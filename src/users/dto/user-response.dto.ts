import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type Role } from '../../common/permissions/permission-catalogue';

export class UserResponseDto {
  @ApiProperty({ example: '665f1c2e8b3c4a0012345678' })
  id!: string;

  @ApiProperty({ example: 'Jane Doe' })
  name!: string;

  @ApiProperty({ example: 'jane@example.com' })
  email!: string;

  @ApiProperty({ enum: ROLES, example: 'user' })
  role!: Role;

  @ApiProperty()
  isEmailVerified!: boolean;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt!: string;
}

/** What administrators see of a user. */
export class AdminUserResponseDto extends UserResponseDto {
  @ApiProperty({ description: 'Disabled users cannot sign in; their tokens stop working' })
  isDisabled!: boolean;
}

export class UserListResponseDto {
  @ApiProperty({ type: [AdminUserResponseDto] })
  users!: AdminUserResponseDto[];

  @ApiProperty({ example: 42, description: 'Users matching the filters' })
  total!: number;

  @ApiProperty({ example: 20 })
  limit!: number;

  @ApiProperty({ example: 0 })
  skip!: number;
}
