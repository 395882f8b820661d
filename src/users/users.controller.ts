import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { RequestContext } from '../audit-logs/audit-logs.service';
import {
  ApiErrorResponses,
  CurrentUser,
  Permissions,
  ReqContext,
  type AuthUser,
} from '../common/decorators';
import { ParseObjectIdPipe } from '../common/pipes/parse-object-id.pipe';
import { CreateUserDto } from './dto/create-user.dto';
import { ListUsersQueryDto } from './dto/list-users-query.dto';
import { UpdateMeDto } from './dto/update-me.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import {
  AdminUserResponseDto,
  toAdminUserResponse,
  toUserResponse,
  UserListResponseDto,
  UserResponseDto,
} from './dto/user-response.dto';
import { UsersService } from './users.service';

@ApiTags('Users')
@ApiBearerAuth()
@Controller('v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Permissions()
  @Get('me')
  @ApiOperation({ summary: 'The signed-in user' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiErrorResponses(401)
  async getMe(@CurrentUser() caller: AuthUser): Promise<UserResponseDto> {
    return toUserResponse(await this.users.getById(caller.id));
  }

  @Permissions()
  @Patch('me')
  @ApiOperation({
    summary: 'Update the signed-in user',
    description:
      'An email change marks the address unverified. A password change requires ' +
      '`currentPassword` and signs out every other session: all refresh tokens are revoked ' +
      'except the family of `refreshToken`, when it is given and belongs to the caller.',
  })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiErrorResponses(400, 401, 409)
  async updateMe(
    @CurrentUser() caller: AuthUser,
    @Body() dto: UpdateMeDto,
    @ReqContext() context: RequestContext,
  ): Promise<UserResponseDto> {
    return toUserResponse(await this.users.updateMe(caller.id, dto, context));
  }

  @Permissions('manage-users')
  @Get()
  @ApiOperation({ summary: 'List users, newest first' })
  @ApiOkResponse({ type: UserListResponseDto })
  @ApiErrorResponses(400, 401, 403)
  async list(@Query() query: ListUsersQueryDto): Promise<UserListResponseDto> {
    const page = await this.users.list(query);
    return { ...page, users: page.users.map(toAdminUserResponse) };
  }

  @Permissions('manage-users')
  @Post()
  @ApiOperation({ summary: 'Create a user' })
  @ApiCreatedResponse({ type: AdminUserResponseDto })
  @ApiErrorResponses(400, 401, 403, 409)
  async create(
    @Body() dto: CreateUserDto,
    @ReqContext() context: RequestContext,
  ): Promise<AdminUserResponseDto> {
    return toAdminUserResponse(await this.users.createByAdmin(dto, context));
  }

  @Permissions('manage-users')
  @Get(':userId')
  @ApiOperation({ summary: 'Get a user' })
  @ApiOkResponse({ type: AdminUserResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  async get(@Param('userId', ParseObjectIdPipe) userId: string): Promise<AdminUserResponseDto> {
    return toAdminUserResponse(await this.users.getById(userId));
  }

  @Permissions('manage-users')
  @Patch(':userId')
  @ApiOperation({
    summary: 'Update a user',
    description:
      'Disabling a user or setting their password ends their sessions at once. ' +
      'Demoting or disabling the last enabled admin is refused with 409.',
  })
  @ApiOkResponse({ type: AdminUserResponseDto })
  @ApiErrorResponses(400, 401, 403, 404, 409)
  async update(
    @Param('userId', ParseObjectIdPipe) userId: string,
    @Body() dto: UpdateUserDto,
    @ReqContext() context: RequestContext,
  ): Promise<AdminUserResponseDto> {
    return toAdminUserResponse(await this.users.updateByAdmin(userId, dto, context));
  }

  @Permissions('manage-users')
  @Delete(':userId')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a user',
    description:
      'Deletes the user and ends their sessions. The last enabled admin cannot be deleted.',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrorResponses(400, 401, 403, 404, 409)
  async remove(
    @Param('userId', ParseObjectIdPipe) userId: string,
    @ReqContext() context: RequestContext,
  ): Promise<void> {
    await this.users.deleteByAdmin(userId, context);
  }
}
