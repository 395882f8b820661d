import type {
  AdminUserResponseDto,
  UserListResponseDto,
  UserResponseDto,
} from './dto/user-response.dto';
import type { UserRecord } from './users.repository';
import type { UserPage } from './users.service';

export function toUserResponse(user: UserRecord): UserResponseDto {
  return {
    id: String(user._id),
    name: user.name,
    email: user.email,
    role: user.role,
    isEmailVerified: user.isEmailVerified,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

export function toAdminUserResponse(user: UserRecord): AdminUserResponseDto {
  return { ...toUserResponse(user), isDisabled: user.isDisabled };
}

export function toUserListResponse(page: UserPage): UserListResponseDto {
  return { ...page, users: page.users.map(toAdminUserResponse) };
}
