import { Body, Controller, Get, Headers, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { RequestContext } from '../audit-logs/audit-logs.service';
import { CurrentUser, IdParam, ReqContext, Route, type AuthUser } from '../common/decorators';
import { ADMIN_INBOX_READS } from '../conversations/inbox-scope';
import { ListMessagesQueryDto } from './dto/list-messages-query.dto';
import { toMessageListResponse, toSentMessageResponse } from './message.mapper';
import { MessageListResponseDto, MessageResponseDto } from './dto/message-response.dto';
import { SendMessageDto } from './dto/send-message.dto';
import {
  CaptionedMessageResponseDto,
  type SentMessageResponseDto,
} from './dto/sent-message-response.dto';
import { MAX_IDEMPOTENCY_KEY_LENGTH, MessagesService } from './messages.service';

@ApiTags('Messages')
@ApiExtraModels(SendMessageDto, MessageResponseDto, CaptionedMessageResponseDto)
@Controller('v1/messages')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Route({
    permission: 'view-messages',
    summary: 'Messages of one of the caller’s conversations (admins: of any account), newest first',
    description:
      'Page with `skip`/`limit`, or with the opaque `before` cursor (`nextCursor` of the ' +
      'previous page), which stays stable while new messages arrive. Messages the account ' +
      'tried to send but Meta refused (`status: failed`; the sender already got the error ' +
      'from `POST`) are left out, of the page and of `total` alike, unless ' +
      '`includeFailed=true`. Another user’s conversation answers 404, except to admins. ' +
      ADMIN_INBOX_READS,
    errors: [400, 404],
  })
  @Get(':conversationId')
  @ApiOkResponse({ type: MessageListResponseDto })
  async list(
    @CurrentUser() user: AuthUser,
    @IdParam('conversationId') conversationId: string,
    @Query() query: ListMessagesQueryDto,
    @ReqContext() context: RequestContext,
  ): Promise<MessageListResponseDto> {
    return toMessageListResponse(await this.messages.list(user, conversationId, query, context));
  }

  @Route({
    permission: 'send-messages',
    summary: 'Send a message to the participant',
    description:
      'Stored as `pending`, then `sent` with Meta’s message id, or `failed` with Meta’s error ' +
      '(answered 422/424/429). Only within 24 hours of the participant’s last message ' +
      '(7 days with `tag: HUMAN_AGENT` when enabled). A send beyond the account’s pace ' +
      '(Meta’s Send API limits, counted for all instances together) is neither sent nor ' +
      'stored: it answers 429 with Retry-After.\n\n' +
      'Text with an attachment: Instagram carries them as two messages, so both are stored ' +
      'and sent, the attachment first, then the text. When the attachment fails the text is ' +
      'not sent (both stored as `failed`). When the text fails after the attachment went out, ' +
      'the answer has the text’s status and Retry-After; `details` name the failed part ' +
      '(`part: "text"`, with Meta’s `reason`, `metaCode`, `retryable`) and the delivered one ' +
      '(`part: "attachment"`, `sent: true`, its `id` and `messageId`).\n\n' +
      'A retry with the same `Idempotency-Key` sends nothing and gets the first answer again: ' +
      'the same 201 body, or the same error status, message and details. The echo Meta sends ' +
      'of each part is merged into its stored message, whichever arrives first.\n\n' +
      'Only the account’s owner sends: another user’s conversation answers 404, to admins too.',
    errors: [400, 404, 409, 422, 424, 429],
  })
  @Post(':conversationId')
  @HttpCode(201)
  @ApiBody({
    description: 'Text, an attachment, or both (at least one)',
    schema: {
      allOf: [{ $ref: getSchemaPath(SendMessageDto) }],
      anyOf: [{ required: ['text'] }, { required: ['attachment'] }],
    },
    examples: {
      text: { value: { text: 'Hello! How can we help?' } },
      attachment: {
        value: { attachment: { type: 'image', url: 'https://cdn.example.com/photo.jpg' } },
      },
      captioned: {
        summary: 'Attachment with text (sent as two messages)',
        value: {
          text: 'Here is the photo you asked for',
          attachment: { type: 'image', url: 'https://cdn.example.com/photo.jpg' },
        },
      },
    },
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: `Up to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters, unique per request you mean`,
  })
  @ApiCreatedResponse({
    description:
      'The stored message; for text with an attachment, one message-shaped object with the ' +
      'text as caption and both stored messages in `parts`',
    schema: {
      oneOf: [
        { $ref: getSchemaPath(MessageResponseDto) },
        { $ref: getSchemaPath(CaptionedMessageResponseDto) },
      ],
    },
  })
  async send(
    @CurrentUser() user: AuthUser,
    @IdParam('conversationId') conversationId: string,
    @Body() dto: SendMessageDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @ReqContext() context: RequestContext,
  ): Promise<SentMessageResponseDto> {
    return toSentMessageResponse(
      await this.messages.send(user, conversationId, dto, idempotencyKey, context),
    );
  }

  @Route({
    permission: 'view-messages',
    summary: 'Mark the participant’s messages read',
    description:
      'Also tells Meta (`mark_seen`); a Meta failure is logged and does not fail the call. ' +
      'Only the account’s owner may: another user’s conversation answers 404, to admins too.',
    errors: [400, 404],
  })
  @Post(':conversationId/read')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Marked read' })
  async markRead(
    @CurrentUser() user: AuthUser,
    @IdParam('conversationId') conversationId: string,
  ): Promise<void> {
    await this.messages.markRead(user, conversationId);
  }
}
