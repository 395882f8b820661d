import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { RequestContext } from '../audit-logs/audit-logs.service';
import { CurrentUser, IdParam, ReqContext, Route, type AuthUser } from '../common/decorators';
import { CreateUserDto } from './dto/create-user.dto';
import { ListUsersQueryDto } from './dto/list-users-query.dto';
import { UpdateMeDto } from './dto/update-me.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import {
  AdminUserResponseDto,
  UserListResponseDto,
  UserResponseDto,
} from './dto/user-response.dto';
import { toAdminUserResponse, toUserListResponse, toUserResponse } from './users.mapper';
import { UsersService } from './users.service';

@ApiTags('Users')
@Controller('v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Route({ permission: 'any-user', summary: 'The signed-in user' })
  @Get('me')
  @ApiOkResponse({ type: UserResponseDto })
  async getMe(@CurrentUser() caller: AuthUser): Promise<UserResponseDto> {
    return toUserResponse(await this.users.getById(caller.id));
  }

  @Route({
    permission: 'any-user',
    summary: 'Update the signed-in user',
    description:
      'An email change marks the address unverified. A password change requires ' +
      '`currentPassword` and signs out every other session: all refresh tokens are revoked ' +
      'except the family of `refreshToken`, when it is given and belongs to the caller.',
    errors: [400, 409],
  })
  @Patch('me')
  @ApiOkResponse({ type: UserResponseDto })
  async updateMe(
    @CurrentUser() caller: AuthUser,
    @Body() dto: UpdateMeDto,
    @ReqContext() context: RequestContext,
  ): Promise<UserResponseDto> {
    return toUserResponse(await this.users.updateMe(caller.id, dto, context));
  }

  @Route({ permission: 'manage-users', summary: 'List users, newest first', errors: [400] })
  @Get()
  @ApiOkResponse({ type: UserListResponseDto })
  async list(@Query() query: ListUsersQueryDto): Promise<UserListResponseDto> {
    return toUserListResponse(await this.users.list(query));
  }

  @Route({ permission: 'manage-users', summary: 'Create a user', errors: [400, 409] })
  @Post()
  @ApiCreatedResponse({ type: AdminUserResponseDto })
  async create(
    @Body() dto: CreateUserDto,
    @ReqContext() context: RequestContext,
  ): Promise<AdminUserResponseDto> {
    return toAdminUserResponse(await this.users.createByAdmin(dto, context));
  }

  @Route({ permission: 'manage-users', summary: 'Get a user', errors: [400, 404] })
  @Get(':userId')
  @ApiOkResponse({ type: AdminUserResponseDto })
  async get(@IdParam('userId') userId: string): Promise<AdminUserResponseDto> {
    return toAdminUserResponse(await this.users.getById(userId));
  }

  @Route({
    permission: 'manage-users',
    summary: 'Update a user',
    description:
      'Disabling a user or setting their password ends their sessions at once. ' +
      'Demoting or disabling the last enabled admin is refused with 409.',
    errors: [400, 404, 409],
  })
  @Patch(':userId')
  @ApiOkResponse({ type: AdminUserResponseDto })
  async update(
    @IdParam('userId') userId: string,
    @Body() dto: UpdateUserDto,
    @ReqContext() context: RequestContext,
  ): Promise<AdminUserResponseDto> {
    return toAdminUserResponse(await this.users.updateByAdmin(userId, dto, context));
  }

  @Route({
    permission: 'manage-users',
    summary: 'Delete a user',
    description:
      'Deletes the user and ends their sessions. The last enabled admin cannot be deleted.',
    errors: [400, 404, 409],
  })
  @Delete(':userId')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted' })
  async remove(
    @IdParam('userId') userId: string,
    @ReqContext() context: RequestContext,
  ): Promise<void> {
    await this.users.deleteByAdmin(userId, context);
  }
}
