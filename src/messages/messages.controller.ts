import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
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
import { ADMIN_INBOX_READS } from '../conversations/inbox-scope';
import { ListMessagesQueryDto } from './dto/list-messages-query.dto';
import { MessageListResponseDto, MessageResponseDto } from './dto/message-response.dto';
import { SendMessageDto } from './dto/send-message.dto';
import { MAX_IDEMPOTENCY_KEY_LENGTH, MessagesService } from './messages.service';

@ApiTags('Messages')
@ApiBearerAuth()
@Controller('v1/messages')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Get(':conversationId')
  @Permissions('view-messages')
  @ApiOperation({
    summary: 'Messages of one of the caller’s conversations (admins: of any account), newest first',
    description:
      'Page with `skip`/`limit`, or with the opaque `before` cursor (`nextCursor` of the ' +
      'previous page), which stays stable while new messages arrive. Messages the account ' +
      'tried to send but Meta refused (`status: failed`; the sender already got the error ' +
      'from `POST`) are left out, of the page and of `total` alike, unless ' +
      '`includeFailed=true`. Another user’s conversation answers 404, except to admins. ' +
      ADMIN_INBOX_READS,
  })
  @ApiParam({ name: 'conversationId', description: 'Conversation id (24 hex characters)' })
  @ApiOkResponse({ type: MessageListResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  list(
    @CurrentUser() user: AuthUser,
    @Param('conversationId', ParseObjectIdPipe) conversationId: string,
    @Query() query: ListMessagesQueryDto,
    @ReqContext() context: RequestContext,
  ): Promise<MessageListResponseDto> {
    return this.messages.list(user, conversationId, query, context);
  }

  @Post(':conversationId')
  @HttpCode(201)
  @Permissions('send-messages')
  @ApiOperation({
    summary: 'Send a message to the participant',
    description:
      'Stored as `pending`, then `sent` with Meta’s message id, or `failed` with Meta’s error ' +
      '(answered 422/424/429). Only within 24 hours of the participant’s last message ' +
      '(7 days with `tag: HUMAN_AGENT` when enabled). A retry with the same `Idempotency-Key` ' +
      'returns the first stored message without sending again. Only the account’s owner ' +
      'sends: another user’s conversation answers 404, to admins too.',
  })
  @ApiParam({ name: 'conversationId', description: 'Conversation id (24 hex characters)' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: `Up to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters, unique per request you mean`,
  })
  @ApiCreatedResponse({ type: MessageResponseDto })
  @ApiErrorResponses(400, 401, 403, 404, 409, 422, 424, 429)
  send(
    @CurrentUser() user: AuthUser,
    @Param('conversationId', ParseObjectIdPipe) conversationId: string,
    @Body() dto: SendMessageDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @ReqContext() context: RequestContext,
  ): Promise<MessageResponseDto> {
    return this.messages.send(user, conversationId, dto, idempotencyKey, context);
  }

  @Post(':conversationId/read')
  @HttpCode(204)
  @Permissions('view-messages')
  @ApiOperation({
    summary: 'Mark the participant’s messages read',
    description:
      'Also tells Meta (`mark_seen`); a Meta failure is logged and does not fail the call. ' +
      'Only the account’s owner may: another user’s conversation answers 404, to admins too.',
  })
  @ApiParam({ name: 'conversationId', description: 'Conversation id (24 hex characters)' })
  @ApiNoContentResponse({ description: 'Marked read' })
  @ApiErrorResponses(400, 401, 403, 404)
  async markRead(
    @CurrentUser() user: AuthUser,
    @Param('conversationId', ParseObjectIdPipe) conversationId: string,
  ): Promise<void> {
    await this.messages.markRead(user, conversationId);
  }
}
