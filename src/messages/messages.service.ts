import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Types, type QueryFilter } from 'mongoose';
import { AuditLogsService, type RequestContext } from '../audit-logs/audit-logs.service';
import { isDuplicateKeyError } from '../common/database/duplicate-key-error';
import type { AuthUser } from '../common/decorators';
import {
  ConflictError,
  DomainError,
  FailedDependencyError,
  UnprocessableError,
  ValidationError,
} from '../common/errors';
import { totalFromPage } from '../common/pagination/page-total';
import { decodePageCursor, encodePageCursor, olderThan } from '../common/pagination/page-cursor';
import { metaConfig, type MetaConfig } from '../config/meta.config';
import {
  ConversationsService,
  type OwnedConversation,
} from '../conversations/conversations.service';
import { replyWindow, sendRefusal } from '../conversations/messaging-window';
import { InstagramAccountsService } from '../instagram-accounts/instagram-accounts.service';
import { MetaApiError } from '../meta/meta-api.error';
import { MetaGraphService } from '../meta/meta-graph.service';
import type { ListMessagesQueryDto } from './dto/list-messages-query.dto';
import type { MessageListResponseDto, MessageResponseDto } from './dto/message-response.dto';
import type { SendMessageDto } from './dto/send-message.dto';
import { toMessageResponse } from './message.mapper';
import { messagePreview } from './message-preview';
import { MessagesRepository, type MessageRecord } from './messages.repository';
import { LOCAL_MESSAGE_ID_PREFIX, type Message, type MessageError } from './schemas/message.schema';

export const DEFAULT_MESSAGES_PAGE_SIZE = 50;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

@Injectable()
export class MessagesService {
  private readonly logger = new Logger(MessagesService.name);

  constructor(
    private readonly repository: MessagesRepository,
    private readonly conversations: ConversationsService,
    private readonly accounts: InstagramAccountsService,
    private readonly meta: MetaGraphService,
    private readonly audit: AuditLogsService,
    @Inject(metaConfig.KEY) private readonly config: MetaConfig,
  ) {}

  async list(
    caller: AuthUser,
    conversationId: string,
    query: ListMessagesQueryDto,
    context: RequestContext,
  ): Promise<MessageListResponseDto> {
    const scope = this.conversations.readScope(caller);
    const conversation = await this.conversations.findReadable(scope, conversationId);
    const limit = query.limit ?? DEFAULT_MESSAGES_PAGE_SIZE;
    const skip = query.skip ?? 0;
    const filter: QueryFilter<Message> = {
      conversation: conversation._id,
      ...(conversation.visibleFrom ? { timestamp: { $gte: conversation.visibleFrom } } : {}),
      // Only messages the account sent can fail; the sender was answered with the error.
      ...(query.includeFailed ? {} : { status: { $ne: 'failed' } }),
    };
    const paged = query.before
      ? { ...filter, $and: [olderThan('timestamp', decodePageCursor(query.before))] }
      : filter;
    const items = await this.repository.findPage(scope, paged, { skip, limit: limit + 1 });
    const total =
      totalFromPage(items.length, { limit, skip, cursor: Boolean(query.before) }) ??
      (await this.repository.count(scope, filter));
    await this.conversations.recordInboxRead(scope, context, {
      read: 'messages',
      ownerId: String(conversation.owner),
      instagramAccountId: String(conversation.instagramAccount),
      conversationId,
    });
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    return {
      messages: page.map(toMessageResponse),
      total,
      limit,
      skip,
      nextCursor: items.length > limit && last ? encodePageCursor(last.timestamp, last._id) : null,
    };
  }

  /**
   * Stores the message as pending, sends it through Meta, then records Meta's
   * id (`sent`) or Meta's error (`failed`, answered with Meta's mapped status).
   * A retry carrying the same Idempotency-Key returns the first message.
   */
  async send(
    caller: AuthUser,
    conversationId: string,
    dto: SendMessageDto,
    idempotencyKey: string | undefined,
    context: RequestContext,
  ): Promise<MessageResponseDto> {
    const key = this.parseIdempotencyKey(idempotencyKey);
    const text = this.parseContent(dto);
    const owned = await this.conversations.findOwned(caller.id, conversationId);
    const { conversation, account } = owned;
    if (key) {
      const previous = await this.repository.findByIdempotencyKey(caller.id, key);
      if (previous) return this.replay(previous, conversation._id);
    }
    if (account.reconnectRequired) {
      throw new FailedDependencyError('Reconnect the Instagram account to send messages', [
        { reason: 'reconnect_required' },
      ]);
    }
    const now = new Date();
    const refusal = sendRefusal(
      conversation.lastInboundAt,
      dto.tag,
      this.config.humanAgentEnabled,
      now,
    );
    if (refusal) throw new UnprocessableError(refusal, [{ reason: 'outside_window' }]);

    let pending: MessageRecord;
    try {
      pending = await this.repository.insertPending({
        conversation: conversation._id,
        instagramAccount: conversation.instagramAccount,
        owner: conversation.owner,
        messageId: `${LOCAL_MESSAGE_ID_PREFIX}${randomUUID()}`,
        sender: 'page',
        senderId: account.instagramBusinessId,
        text,
        attachments: dto.attachment ? [{ type: dto.attachment.type, url: dto.attachment.url }] : [],
        timestamp: now,
        status: 'pending',
        replyTo: dto.replyTo ? { mid: dto.replyTo } : null,
        metadata: dto.tag ? { tag: dto.tag } : {},
        idempotencyKey: key ?? `auto:${randomUUID()}`,
      });
    } catch (error) {
      if (!key || !isDuplicateKeyError(error)) throw error;
      const first = await this.repository.findByIdempotencyKey(caller.id, key);
      if (!first) throw error;
      return this.replay(first, conversation._id);
    }
    const sent = await this.deliver(owned, pending, dto);
    await this.conversations.recordOutbound(conversation, {
      timestamp: sent.timestamp,
      messageId: sent.messageId,
      preview: messagePreview({ ...sent, unsupported: false, metadata: {} }),
      inbound: false,
    });
    await this.audit.record({
      action: 'message.sent',
      context,
      target: { type: 'message', id: String(sent._id) },
      metadata: {
        conversationId: String(conversation._id),
        instagramAccountId: account.id,
        messageId: sent.messageId,
        ...(dto.attachment ? { attachmentType: dto.attachment.type } : {}),
        ...(dto.tag ? { tag: dto.tag } : {}),
      },
    });
    return toMessageResponse(sent);
  }

  /**
   * Marks the participant's messages read and tells Meta (`mark_seen`); a Meta
   * failure is logged, never returned.
   */
  async markRead(caller: AuthUser, conversationId: string): Promise<void> {
    const { conversation, account } = await this.conversations.findOwned(caller.id, conversationId);
    const now = new Date();
    await this.repository.markInboundRead(conversation._id, now);
    await this.conversations.resetUnread(conversation);
    if (!replyWindow(conversation.lastInboundAt, false, now).canReply) return;
    try {
      await this.accounts.callMeta(account.id, (creds) =>
        this.meta.sendSenderAction(creds, conversation.igUserId, 'mark_seen'),
      );
    } catch (error) {
      const reason = error instanceof MetaApiError ? error.kind : String(error);
      this.logger.warn(`mark_seen for conversation ${conversationId} failed: ${reason}`);
    }
  }

  private async deliver(
    { conversation, account }: OwnedConversation,
    pending: MessageRecord,
    dto: SendMessageDto,
  ): Promise<MessageRecord> {
    let messageId: string;
    try {
      const result = await this.accounts.callMeta(account.id, (creds) =>
        this.meta.sendMessage(creds, {
          recipientId: conversation.igUserId,
          ...(pending.text ? { text: pending.text } : {}),
          ...(dto.attachment ? { attachment: dto.attachment } : {}),
          ...(dto.replyTo ? { replyTo: dto.replyTo } : {}),
          ...(dto.tag ? { tag: dto.tag } : {}),
        }),
      );
      messageId = result.messageId;
    } catch (error) {
      await this.repository.markFailed(pending._id, toMessageError(error));
      throw error;
    }
    return this.repository.markSent(pending._id, pending.instagramAccount, messageId);
  }

  private replay(previous: MessageRecord, conversationId: Types.ObjectId): MessageResponseDto {
    if (!previous.conversation.equals(conversationId)) {
      throw new ConflictError('This Idempotency-Key was already used for another conversation');
    }
    return toMessageResponse(previous);
  }

  private parseIdempotencyKey(header: string | undefined): string | undefined {
    if (header === undefined) return undefined;
    if (header.length === 0 || header.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw new ValidationError('Invalid Idempotency-Key', [
        {
          field: 'Idempotency-Key',
          messages: [`must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`],
        },
      ]);
    }
    return `client:${header}`;
  }

  /** The text to send (null for an attachment); exactly one of the two is required. */
  private parseContent(dto: SendMessageDto): string | null {
    const hasText = dto.text !== undefined && dto.text.trim() !== '';
    if (hasText && dto.attachment) {
      throw new ValidationError('Send either text or an attachment, not both', [
        { field: 'attachment', messages: ['cannot be combined with text'] },
      ]);
    }
    if (!hasText && !dto.attachment) {
      throw new ValidationError('A message needs text or an attachment', [
        { field: 'text', messages: ['text or attachment is required'] },
      ]);
    }
    return hasText ? (dto.text as string) : null;
  }
}

function toMessageError(error: unknown): MessageError {
  if (error instanceof MetaApiError) {
    return { code: error.code ?? null, subcode: error.subcode ?? null, message: error.message };
  }
  if (error instanceof DomainError) return { code: null, subcode: null, message: error.message };
  return { code: null, subcode: null, message: 'The message could not be sent' };
}
