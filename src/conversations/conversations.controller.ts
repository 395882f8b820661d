import { Controller, Delete, Get, HttpCode, Param, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
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
import { ConversationsService } from './conversations.service';
import { ADMIN_INBOX_READS } from './inbox-scope';
import {
  ConversationListResponseDto,
  ConversationResponseDto,
} from './dto/conversation-response.dto';
import { ListConversationsQueryDto } from './dto/list-conversations-query.dto';

@ApiTags('Conversations')
@ApiBearerAuth()
@Controller('v1/conversations')
export class ConversationsController {
  constructor(private readonly conversations: ConversationsService) {}

  @Get('detail/:conversationId')
  @Permissions('view-conversations')
  @ApiOperation({
    summary: 'One conversation of the caller (admins: of any account)',
    description: `Another user's conversation answers 404, except to admins. ${ADMIN_INBOX_READS}`,
  })
  @ApiParam({ name: 'conversationId', description: 'Conversation id (24 hex characters)' })
  @ApiOkResponse({ type: ConversationResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  detail(
    @CurrentUser() user: AuthUser,
    @Param('conversationId', ParseObjectIdPipe) conversationId: string,
    @ReqContext() context: RequestContext,
  ): Promise<ConversationResponseDto> {
    return this.conversations.detail(user, conversationId, context);
  }

  @Delete('detail/:conversationId')
  @HttpCode(204)
  @Permissions('view-conversations')
  @ApiOperation({
    summary: 'Delete (hide) a conversation and its messages',
    description:
      'A later message from the participant brings the conversation back, showing only the ' +
      'messages received after the deletion. Only the account’s owner may delete: another ' +
      'user’s conversation answers 404, to admins too.',
  })
  @ApiParam({ name: 'conversationId', description: 'Conversation id (24 hex characters)' })
  @ApiNoContentResponse({ description: 'Hidden' })
  @ApiErrorResponses(400, 401, 403, 404)
  async remove(
    @CurrentUser() user: AuthUser,
    @Param('conversationId', ParseObjectIdPipe) conversationId: string,
  ): Promise<void> {
    await this.conversations.remove(user, conversationId);
  }

  @Get(':accountId')
  @Permissions('view-conversations')
  @ApiOperation({
    summary:
      'Conversations of one of the caller’s accounts (admins: of any account), newest activity first',
    description:
      'Page with `skip`/`limit`, or with the opaque `before` cursor (`nextCursor` of the ' +
      'previous page), which stays stable while new messages arrive. Another user’s account ' +
      `answers 404, except to admins. ${ADMIN_INBOX_READS}`,
  })
  @ApiParam({ name: 'accountId', description: 'Instagram account id (24 hex characters)' })
  @ApiOkResponse({ type: ConversationListResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  list(
    @CurrentUser() user: AuthUser,
    @Param('accountId', ParseObjectIdPipe) accountId: string,
    @Query() query: ListConversationsQueryDto,
    @ReqContext() context: RequestContext,
  ): Promise<ConversationListResponseDto> {
    return this.conversations.list(user, accountId, query, context);
  }
}
