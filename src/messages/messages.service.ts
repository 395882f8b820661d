import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
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
import type { CursorPageResponseDto } from '../common/pagination/page-response.dto';
import { totalFromPage } from '../common/pagination/page-total';
import { decodePageCursor, encodePageCursor } from '../common/pagination/page-cursor';
import { ownerScope, type OwnerScope } from '../common/scope/owner-scope';
import { metaConfig, type MetaConfig } from '../config/meta.config';
import {
  ConversationsService,
  type OwnedConversation,
} from '../conversations/conversations.service';
import { replyWindow, sendRefusal } from '../conversations/messaging-window';
import { AccountsGateway } from '../instagram-accounts/accounts.gateway';
import { MetaApiError } from '../meta/meta-api.error';
import { MetaGraphService } from '../meta/meta-graph.service';
import { refusedBeforeSending } from '../meta/meta-pace.error';
import type { OutboundAttachmentType, SendMessageInput } from '../meta/meta.types';
import type { ListMessagesQueryDto } from './dto/list-messages-query.dto';
import type { SendMessageDto } from './dto/send-message.dto';
import { messagePreview } from './message-preview';
import { MessagesRepository, type MessageRecord, type NewMessage } from './messages.repository';
import { RepeatedSendError, SendFailedError, TextNotSentError, toSendAnswer } from './send-errors';
import { LOCAL_MESSAGE_ID_PREFIX, type MessageError } from './schemas/message.schema';

export const DEFAULT_MESSAGES_PAGE_SIZE = 50;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** A page of a conversation's messages, newest first, with the paging fields. */
export interface MessagePage extends CursorPageResponseDto {
  messages: MessageRecord[];
}

/**
 * The stored messages of one send, in the order Meta received them: the message, or an
 * attachment and then the text sent with it.
 */
export type SentMessage = [MessageRecord] | [MessageRecord, MessageRecord];

/** The error of a text never sent because its attachment could not be sent. */
const NOT_SENT = 'Not sent because the attachment before it could not be sent';

@Injectable()
export class MessagesService {
  private readonly logger = new Logger(MessagesService.name);

  constructor(
    private readonly repository: MessagesRepository,
    private readonly conversations: ConversationsService,
    private readonly accounts: AccountsGateway,
    private readonly meta: MetaGraphService,
    private readonly audit: AuditLogsService,
    @Inject(metaConfig.KEY) private readonly config: MetaConfig,
  ) {}

  async list(
    caller: AuthUser,
    conversationId: string,
    query: ListMessagesQueryDto,
    context: RequestContext,
  ): Promise<MessagePage> {
    const scope = this.conversations.readScope(caller);
    const conversation = await this.conversations.findReadable(scope, conversationId);
    const limit = query.limit ?? DEFAULT_MESSAGES_PAGE_SIZE;
    const skip = query.skip ?? 0;
    const messages = {
      conversation: conversation._id,
      visibleFrom: conversation.visibleFrom,
      includeFailed: query.includeFailed ?? false,
    };
    const items = await this.repository.findConversationPage(scope, messages, {
      skip,
      limit: limit + 1,
      ...(query.before ? { before: decodePageCursor(query.before) } : {}),
    });
    const total =
      totalFromPage(items.length, { limit, skip, cursor: Boolean(query.before) }) ??
      (await this.repository.countConversationMessages(scope, messages));
    await this.conversations.recordInboxRead(scope, context, {
      read: 'messages',
      ownerId: String(conversation.owner),
      instagramAccountId: String(conversation.instagramAccount),
      conversationId,
    });
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    return {
      messages: page,
      total,
      limit,
      skip,
      nextCursor: items.length > limit && last ? encodePageCursor(last.timestamp, last._id) : null,
    };
  }

  /**
   * Stores the message as pending, sends it through Meta, then records Meta's
   * id (`sent`) or Meta's error (`failed`, answered with Meta's mapped status).
   * Text with an attachment is stored and sent as two messages, the attachment
   * first; the text is not sent when the attachment fails. A retry carrying
   * the same Idempotency-Key sends nothing and gets the first answer again.
   */
  async send(
    caller: AuthUser,
    conversationId: string,
    dto: SendMessageDto,
    idempotencyKey: string | undefined,
    context: RequestContext,
  ): Promise<SentMessage> {
    const key = this.parseIdempotencyKey(idempotencyKey);
    const content = this.parseContent(dto);
    const owned = await this.conversations.findOwned(caller.id, conversationId);
    const { conversation, account } = owned;
    const scope = ownerScope(caller.id);
    if (key) {
      const previous = await this.repository.findByIdempotencyKeys(scope, partKeys(key));
      if (previous.length > 0) return this.replay(previous, conversation._id);
    }
    if (account.reconnectRequired) {
      throw new FailedDependencyError('Reconnect the Instagram account to send messages', [
        { reason: 'reconnect_required', retryable: false },
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

    const plan = planParts(owned, content, dto, key, now);
    let parts: MessageRecord[];
    try {
      parts = await this.repository.insertPending(
        scope,
        plan.map((part) => part.message),
      );
    } catch (error) {
      if (!key || !isDuplicateKeyError(error)) throw error;
      const first = await this.repository.findByIdempotencyKeys(scope, partKeys(key));
      if (first.length === 0) throw error;
      return this.replay(first, conversation._id);
    }
    const sent: MessageRecord[] = [];
    for (const [index, part] of parts.entries()) {
      let delivered: MessageRecord;
      try {
        delivered = await this.deliver(owned, part, plan[index].content);
      } catch (error) {
        throw await this.fail(owned, parts.slice(index), sent, error);
      }
      sent.push(delivered);
      await this.recordSent(owned, delivered, plan[index].content, context);
    }
    return toSentMessage(sent);
  }

  /**
   * Marks the participant's messages read and tells Meta (`mark_seen`); a Meta
   * failure is logged, never returned.
   */
  async markRead(caller: AuthUser, conversationId: string): Promise<void> {
    const { conversation, account } = await this.conversations.findOwned(caller.id, conversationId);
    const now = new Date();
    await this.repository.markInboundRead(
      scopeOf({ conversation, account }),
      conversation._id,
      now,
    );
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
    owned: OwnedConversation,
    part: MessageRecord,
    content: PartContent,
  ): Promise<MessageRecord> {
    const { conversation, account } = owned;
    const { messageId } = await this.accounts.callMeta(account.id, (creds) =>
      this.meta.sendMessage(creds, { recipientId: conversation.igUserId, ...content }),
    );
    return this.repository.markSent(scopeOf(owned), part._id, part.instagramAccount, messageId);
  }

  /**
   * Marks the part that failed and the parts after it (never sent) as failed,
   * keeping the answer for retries; returns that answer. When the text fails
   * after its attachment went out, the answer names both.
   */
  private async fail(
    owned: OwnedConversation,
    unsent: MessageRecord[],
    sent: MessageRecord[],
    error: unknown,
  ): Promise<DomainError> {
    const cause = this.asDomainError(error);
    if (sent.length === 0 && refusedBeforeSending(cause)) {
      // Nothing went out: the send leaves no trace, a retry after Retry-After starts afresh.
      await this.repository.deleteUnsent(
        scopeOf(owned),
        unsent.map((part) => part._id),
      );
      return cause;
    }
    const answer = sent.length > 0 ? new TextNotSentError(cause, sent[0]) : cause;
    const [failed, ...after] = unsent;
    const scope = scopeOf(owned);
    await this.repository.markFailed(scope, failed._id, toMessageError(cause, answer));
    for (const part of after) {
      // Never sent, so never adopted by an echo (that takes a send Meta may have received).
      await this.repository.markFailed(scope, part._id, {
        code: null,
        subcode: null,
        message: NOT_SENT,
        answer: { ...toSendAnswer(answer), details: [{ reason: 'not_sent', part: 'text' }] },
      });
    }
    return answer;
  }

  private asDomainError(error: unknown): DomainError {
    if (error instanceof DomainError) return error;
    this.logger.error({ err: error }, 'Sending a message failed unexpectedly');
    return new SendFailedError();
  }

  private async recordSent(
    { conversation, account }: OwnedConversation,
    sent: MessageRecord,
    content: PartContent,
    context: RequestContext,
  ): Promise<void> {
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
        ...(content.attachment ? { attachmentType: content.attachment.type } : {}),
        ...(content.tag ? { tag: content.tag } : {}),
      },
    });
  }

  /** The first answer for a retried send: its stored message(s), or its error again. */
  private replay(
    previous: MessageRecord[],
    conversationId: MessageRecord['conversation'],
  ): SentMessage {
    if (previous.some((part) => !part.conversation.equals(conversationId))) {
      throw new ConflictError('This Idempotency-Key was already used for another conversation');
    }
    const parts = [...previous].sort((a, b) => partIndex(a) - partIndex(b));
    const failed = parts.find((part) => part.status === 'failed');
    if (failed) {
      throw new RepeatedSendError(
        failed.error?.answer ?? {
          status: 424,
          message: failed.error?.message ?? 'The message could not be sent',
          details: [],
        },
      );
    }
    return toSentMessage(parts);
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
    return header;
  }

  /** The text and the attachment to send; at least one of the two is required. */
  private parseContent(dto: SendMessageDto): SendContent {
    const hasText = dto.text !== undefined && dto.text.trim() !== '';
    if (!hasText && !dto.attachment) {
      throw new ValidationError('A message needs text or an attachment', [
        { field: 'text', messages: ['text or attachment is required'] },
      ]);
    }
    return { text: hasText ? (dto.text as string) : null, attachment: dto.attachment };
  }
}

/** What one request asks to send. */
interface SendContent {
  text: string | null;
  attachment?: { type: OutboundAttachmentType; url: string };
}

/** What Meta receives for one stored part. */
type PartContent = Omit<SendMessageInput, 'recipientId'>;

/** Idempotency keys of the parts of a send: the first part's, then the text after an attachment's. */
function partKeys(header: string): [string, string] {
  return [`client:${header}`, `caption:${header}`];
}

/** The owner's scope, for writes to the messages of the owner's conversation. */
function scopeOf({ account }: OwnedConversation): OwnerScope {
  return ownerScope(account.userId);
}

/** The parts of one send (one, or the attachment and its text). */
function toSentMessage(parts: MessageRecord[]): SentMessage {
  const [first, second] = parts;
  if (!first) throw new Error('A send stored no message');
  return second ? [first, second] : [first];
}

function partIndex(message: MessageRecord): number {
  return message.idempotencyKey.startsWith('caption:') ? 1 : 0;
}

/**
 * The messages one send stores, in the order Meta receives them: the
 * attachment, then the text (either may be alone).
 */
function planParts(
  { conversation, account }: OwnedConversation,
  content: SendContent,
  dto: SendMessageDto,
  key: string | undefined,
  now: Date,
): { message: NewMessage; content: PartContent }[] {
  const parts: PartContent[] = [];
  if (content.attachment) parts.push({ attachment: content.attachment });
  if (content.text !== null) parts.push({ text: content.text });
  const keys = key ? partKeys(key) : parts.map(() => `auto:${randomUUID()}`);
  return parts.map((part, index) => {
    const replyTo = index === 0 ? dto.replyTo : undefined;
    return {
      content: { ...part, ...(replyTo ? { replyTo } : {}), ...(dto.tag ? { tag: dto.tag } : {}) },
      message: {
        conversation: conversation._id,
        instagramAccount: conversation.instagramAccount,
        owner: conversation.owner,
        messageId: `${LOCAL_MESSAGE_ID_PREFIX}${randomUUID()}`,
        sender: 'page',
        senderId: account.instagramBusinessId,
        text: part.text ?? null,
        attachments: part.attachment ? [{ ...part.attachment }] : [],
        // A millisecond apart, so the text stays after its attachment in every listing.
        timestamp: new Date(now.getTime() + index),
        status: 'pending',
        replyTo: replyTo ? { mid: replyTo } : null,
        metadata: dto.tag ? { tag: dto.tag } : {},
        idempotencyKey: keys[index],
      },
    };
  });
}

function toMessageError(cause: DomainError, answer: DomainError): MessageError {
  return {
    code: cause instanceof MetaApiError ? (cause.code ?? null) : null,
    subcode: cause instanceof MetaApiError ? (cause.subcode ?? null) : null,
    message: cause.message,
    answer: toSendAnswer(answer),
  };
}
