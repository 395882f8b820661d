import { Controller, Delete, Get, HttpCode, Inject, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { RequestContext } from '../audit-logs/audit-logs.service';
import { CurrentUser, IdParam, ReqContext, Route, type AuthUser } from '../common/decorators';
import { metaConfig, type MetaConfig } from '../config/meta.config';
import { toConversationListResponse, toConversationResponse } from './conversation.mapper';
import { ConversationsService } from './conversations.service';
import { ADMIN_INBOX_READS } from './inbox-scope';
import {
  ConversationListResponseDto,
  ConversationResponseDto,
} from './dto/conversation-response.dto';
import { ListConversationsQueryDto } from './dto/list-conversations-query.dto';

@ApiTags('Conversations')
@Controller('v1/conversations')
export class ConversationsController {
  constructor(
    private readonly conversations: ConversationsService,
    @Inject(metaConfig.KEY) private readonly config: MetaConfig,
  ) {}

  @Route({
    permission: 'view-conversations',
    summary: 'One conversation of the caller (admins: of any account)',
    description: `Another user's conversation answers 404, except to admins. ${ADMIN_INBOX_READS}`,
    errors: [400, 404],
  })
  @Get('detail/:conversationId')
  @ApiOkResponse({ type: ConversationResponseDto })
  async detail(
    @CurrentUser() user: AuthUser,
    @IdParam('conversationId') conversationId: string,
    @ReqContext() context: RequestContext,
  ): Promise<ConversationResponseDto> {
    const conversation = await this.conversations.detail(user, conversationId, context);
    return toConversationResponse(conversation, this.config.humanAgentEnabled, new Date());
  }

  @Route({
    permission: 'view-conversations',
    summary: 'Delete (hide) a conversation and its messages',
    description:
      'A later message from the participant brings the conversation back, showing only the ' +
      'messages received after the deletion. Only the account’s owner may delete: another ' +
      'user’s conversation answers 404, to admins too.',
    errors: [400, 404],
  })
  @Delete('detail/:conversationId')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Hidden' })
  async remove(
    @CurrentUser() user: AuthUser,
    @IdParam('conversationId') conversationId: string,
  ): Promise<void> {
    await this.conversations.remove(user, conversationId);
  }

  @Route({
    permission: 'view-conversations',
    summary:
      'Conversations of one of the caller’s accounts (admins: of any account), newest activity first',
    description:
      'Page with `skip`/`limit`, or with the opaque `before` cursor (`nextCursor` of the ' +
      'previous page), which stays stable while new messages arrive. Another user’s account ' +
      `answers 404, except to admins. ${ADMIN_INBOX_READS}`,
    errors: [400, 404],
  })
  @Get(':accountId')
  @ApiOkResponse({ type: ConversationListResponseDto })
  async list(
    @CurrentUser() user: AuthUser,
    @IdParam('accountId', 'Instagram account id') accountId: string,
    @Query() query: ListConversationsQueryDto,
    @ReqContext() context: RequestContext,
  ): Promise<ConversationListResponseDto> {
    const page = await this.conversations.list(user, accountId, query, context);
    return toConversationListResponse(page, this.config.humanAgentEnabled, new Date());
  }
}
