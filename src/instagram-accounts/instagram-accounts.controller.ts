import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { RequestContext } from '../audit-logs/audit-logs.service';
import { CurrentUser, IdParam, ReqContext, Route, type AuthUser } from '../common/decorators';
import { MAX_PAGE_SIZE, PaginationQueryDto } from '../common/pagination/pagination.dto';
import { ConnectInstagramAccountDto } from './dto/connect-instagram-account.dto';
import { InstagramAccountResponseDto } from './dto/instagram-account-response.dto';
import { InstagramProfileResponseDto } from './dto/instagram-profile-response.dto';
import { UpdateInstagramAccountDto } from './dto/update-instagram-account.dto';
import { AccountConnectionService } from './account-connection.service';
import { toInstagramAccountResponse, toInstagramProfileResponse } from './instagram-account.mapper';
import { DEFAULT_ACCOUNTS_PAGE_SIZE, InstagramAccountsService } from './instagram-accounts.service';
import { InstagramProfileService } from './instagram-profile.service';

@ApiTags('Instagram accounts')
@Controller('v1/instagram')
export class InstagramAccountsController {
  constructor(
    private readonly accounts: InstagramAccountsService,
    private readonly connections: AccountConnectionService,
    private readonly profiles: InstagramProfileService,
  ) {}

  @Route({
    permission: 'manage-instagram-accounts',
    summary: 'Connect an Instagram professional account',
    description:
      'Facebook Login (`pageId`, `instagramBusinessId`, `pageAccessToken`) or Instagram Login ' +
      '(`accessToken`). The token is verified with Meta and stored encrypted; Meta’s profile ' +
      'wins over values sent. Also answers 201 when the caller reconnects an account they ' +
      'removed, or one that requires reconnection. `webhookSubscribed` is false when Meta ' +
      'refused the webhook subscription.',
    errors: [400, 409, 424, 429],
  })
  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({ type: InstagramAccountResponseDto })
  async connect(
    @CurrentUser() user: AuthUser,
    @Body() dto: ConnectInstagramAccountDto,
    @ReqContext() context: RequestContext,
  ): Promise<InstagramAccountResponseDto> {
    return toInstagramAccountResponse(await this.connections.connect(user, dto, context));
  }

  @Route({
    permission: 'manage-instagram-accounts',
    summary: 'List connected accounts (admins: every account, with its owner in `userInfo`)',
    errors: [400],
  })
  @Get()
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_PAGE_SIZE,
      default: DEFAULT_ACCOUNTS_PAGE_SIZE,
    },
  })
  @ApiOkResponse({ type: [InstagramAccountResponseDto] })
  async list(
    @CurrentUser() user: AuthUser,
    @Query() query: PaginationQueryDto,
  ): Promise<InstagramAccountResponseDto[]> {
    const listed = await this.accounts.list(user, query);
    return listed.map(({ account, owner }) => toInstagramAccountResponse(account, owner));
  }

  @Route({
    permission: 'manage-instagram-accounts',
    summary: 'One connected account',
    errors: [400, 404],
  })
  @Get(':accountId')
  @ApiOkResponse({ type: InstagramAccountResponseDto })
  async get(
    @CurrentUser() user: AuthUser,
    @IdParam('accountId') accountId: string,
  ): Promise<InstagramAccountResponseDto> {
    return toInstagramAccountResponse(await this.accounts.findVisible(user, accountId));
  }

  @Route({
    permission: 'manage-instagram-accounts',
    summary: 'Live Instagram profile and recent media, as Meta reports them',
    errors: [400, 404, 424, 429],
  })
  @Get(':accountId/profile')
  @ApiOkResponse({ type: InstagramProfileResponseDto })
  async profile(
    @CurrentUser() user: AuthUser,
    @IdParam('accountId') accountId: string,
  ): Promise<InstagramProfileResponseDto> {
    return toInstagramProfileResponse(await this.profiles.getProfile(user, accountId));
  }

  @Route({
    permission: 'manage-instagram-accounts',
    summary: 'Change an account',
    description:
      'A new `accessToken` is verified with Meta, must belong to the same Instagram account ' +
      'and clears `reconnectRequired`.',
    errors: [400, 404, 424, 429],
  })
  @Patch(':accountId')
  @ApiOkResponse({ type: InstagramAccountResponseDto })
  async update(
    @CurrentUser() user: AuthUser,
    @IdParam('accountId') accountId: string,
    @Body() dto: UpdateInstagramAccountDto,
    @ReqContext() context: RequestContext,
  ): Promise<InstagramAccountResponseDto> {
    return toInstagramAccountResponse(await this.accounts.update(user, accountId, dto, context));
  }

  @Route({
    permission: 'manage-instagram-accounts',
    summary: 'Remove an account (webhooks unsubscribed when Meta allows; data kept hidden)',
    errors: [400, 404],
  })
  @Delete(':accountId')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Removed' })
  async remove(
    @CurrentUser() user: AuthUser,
    @IdParam('accountId') accountId: string,
    @ReqContext() context: RequestContext,
  ): Promise<void> {
    await this.accounts.remove(user, accountId, context);
  }
}
