import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
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
import { MAX_PAGE_SIZE, PaginationQueryDto } from '../common/pagination/pagination.dto';
import { ParseObjectIdPipe } from '../common/pipes/parse-object-id.pipe';
import { ConnectInstagramAccountDto } from './dto/connect-instagram-account.dto';
import { InstagramAccountResponseDto } from './dto/instagram-account-response.dto';
import { InstagramProfileResponseDto } from './dto/instagram-profile-response.dto';
import { UpdateInstagramAccountDto } from './dto/update-instagram-account.dto';
import { DEFAULT_ACCOUNTS_PAGE_SIZE, InstagramAccountsService } from './instagram-accounts.service';
import { InstagramProfileService } from './instagram-profile.service';

@ApiTags('Instagram accounts')
@ApiBearerAuth()
@Controller('v1/instagram')
export class InstagramAccountsController {
  constructor(
    private readonly accounts: InstagramAccountsService,
    private readonly profiles: InstagramProfileService,
  ) {}

  @Post()
  @HttpCode(201)
  @Permissions('manage-instagram-accounts')
  @ApiOperation({
    summary: 'Connect an Instagram professional account',
    description:
      'Facebook Login (`pageId`, `instagramBusinessId`, `pageAccessToken`) or Instagram Login ' +
      '(`accessToken`). The token is verified with Meta and stored encrypted; Meta’s profile ' +
      'wins over values sent. Also answers 201 when the caller reconnects an account they ' +
      'removed, or one that requires reconnection. `webhookSubscribed` is false when Meta ' +
      'refused the webhook subscription.',
  })
  @ApiCreatedResponse({ type: InstagramAccountResponseDto })
  @ApiErrorResponses(400, 401, 403, 409, 424, 429)
  connect(
    @CurrentUser() user: AuthUser,
    @Body() dto: ConnectInstagramAccountDto,
    @ReqContext() context: RequestContext,
  ): Promise<InstagramAccountResponseDto> {
    return this.accounts.connect(user, dto, context);
  }

  @Get()
  @Permissions('manage-instagram-accounts')
  @ApiOperation({
    summary: 'List connected accounts (admins: every account, with its owner in `userInfo`)',
  })
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
  @ApiErrorResponses(400, 401, 403)
  list(
    @CurrentUser() user: AuthUser,
    @Query() query: PaginationQueryDto,
  ): Promise<InstagramAccountResponseDto[]> {
    return this.accounts.list(user, query);
  }

  @Get(':accountId')
  @Permissions('manage-instagram-accounts')
  @ApiOperation({ summary: 'One connected account' })
  @ApiParam({ name: 'accountId', description: 'Account id (24 hex characters)' })
  @ApiOkResponse({ type: InstagramAccountResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  get(
    @CurrentUser() user: AuthUser,
    @Param('accountId', ParseObjectIdPipe) accountId: string,
  ): Promise<InstagramAccountResponseDto> {
    return this.accounts.get(user, accountId);
  }

  @Get(':accountId/profile')
  @Permissions('manage-instagram-accounts')
  @ApiOperation({ summary: 'Live Instagram profile and recent media, as Meta reports them' })
  @ApiParam({ name: 'accountId', description: 'Account id (24 hex characters)' })
  @ApiOkResponse({ type: InstagramProfileResponseDto })
  @ApiErrorResponses(400, 401, 403, 404, 424, 429)
  profile(
    @CurrentUser() user: AuthUser,
    @Param('accountId', ParseObjectIdPipe) accountId: string,
  ): Promise<InstagramProfileResponseDto> {
    return this.profiles.getProfile(user, accountId);
  }

  @Patch(':accountId')
  @Permissions('manage-instagram-accounts')
  @ApiOperation({
    summary: 'Change an account',
    description:
      'A new `accessToken` is verified with Meta, must belong to the same Instagram account ' +
      'and clears `reconnectRequired`.',
  })
  @ApiParam({ name: 'accountId', description: 'Account id (24 hex characters)' })
  @ApiOkResponse({ type: InstagramAccountResponseDto })
  @ApiErrorResponses(400, 401, 403, 404, 424, 429)
  update(
    @CurrentUser() user: AuthUser,
    @Param('accountId', ParseObjectIdPipe) accountId: string,
    @Body() dto: UpdateInstagramAccountDto,
    @ReqContext() context: RequestContext,
  ): Promise<InstagramAccountResponseDto> {
    return this.accounts.update(user, accountId, dto, context);
  }

  @Delete(':accountId')
  @HttpCode(204)
  @Permissions('manage-instagram-accounts')
  @ApiOperation({
    summary: 'Remove an account (webhooks unsubscribed when Meta allows; data kept hidden)',
  })
  @ApiParam({ name: 'accountId', description: 'Account id (24 hex characters)' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiErrorResponses(400, 401, 403, 404)
  async remove(
    @CurrentUser() user: AuthUser,
    @Param('accountId', ParseObjectIdPipe) accountId: string,
    @ReqContext() context: RequestContext,
  ): Promise<void> {
    await this.accounts.remove(user, accountId, context);
  }
}
