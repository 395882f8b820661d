import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { isAxiosError, type AxiosResponse } from 'axios';
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { firstValueFrom } from 'rxjs';
import { ValidationError } from '../common/errors';
import { metaConfig, type MetaConfig } from '../config/meta.config';
import { MetricsService } from '../metrics/metrics.service';
import { PaceExceededError, Pacer, type Pace } from '../redis/pacer';
import { MetaApiError, toMetaApiError } from './meta-api.error';
import {
  requireSuccess,
  toAccountProfile,
  toMediaList,
  toRefreshedToken,
  toSendResult,
  toUserProfile,
} from './meta-graph.mappers';
import {
  WEBHOOK_FIELDS,
  type ConnectionType,
  type MetaAccountProfile,
  type MetaCredentials,
  type MetaMedia,
  type MetaUserProfile,
  type RefreshedToken,
  type SendMessageInput,
  type SendMessageResult,
  type SenderAction,
} from './meta.types';
import { MetaPaceExceededError, MetaPacingUnavailableError } from './meta-pace.error';

/** Longest message text the Send API accepts, in UTF-8 bytes. */
export const MAX_MESSAGE_TEXT_BYTES = 1000;

const ACCOUNT_FIELDS = [
  'username',
  'name',
  'profile_picture_url',
  'followers_count',
  'follows_count',
  'media_count',
  'biography',
  'website',
];
const MEDIA_FIELDS = 'id,caption,media_type,media_url,thumbnail_url,permalink,timestamp';
const USER_PROFILE_FIELDS =
  'name,username,profile_pic,follower_count,is_user_follow_business,is_business_follow_user,is_verified_user';
/** Meta's Send API limits per account: one for audio and video, one for everything else. */
type Pacing = 'send-text' | 'send-media';

interface GraphCall {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path below the API version, e.g. `/123/messages`. */
  path: string;
  params?: Record<string, string | number | undefined>;
  data?: unknown;
  /** Outbound pacing applied per account; absent for unpaced calls. */
  pacing?: Pacing;
  /** Whether the path sits below `/{apiVersion}` (every call but token refresh). */
  versioned?: boolean;
  /**
   * False for calls that must not run twice (sending a message): only errors that prove Meta
   * refused the request (rate limits) are retried, never a timeout or a server error after
   * which the message may already have gone out.
   */
  idempotent?: boolean;
}

interface CallIdentity {
  accessToken: string;
  connectionType: ConnectionType;
  pacingKey?: string;
}

/**
 * The only code that talks to the Meta Graph API. Sends the token in the
 * Authorization header (never in URLs or logs), signs calls with
 * `appsecret_proof`, paces sends per account across every instance (failing with
 * {@link MetaPaceExceededError} rather than waiting longer than `META_PACING_MAX_WAIT_MS`, and
 * with {@link MetaPacingUnavailableError} while Redis does not answer),
 * retries transient failures with exponential backoff and full jitter, and turns every Meta
 * failure into a {@link MetaApiError}.
 */
@Injectable()
export class MetaGraphService {
  private readonly logger = new Logger(MetaGraphService.name);
  private readonly paces: Record<Pacing, Pace>;

  constructor(
    private readonly http: HttpService,
    @Inject(metaConfig.KEY) private readonly config: MetaConfig,
    private readonly metrics: MetricsService,
    private readonly pacer: Pacer,
  ) {
    this.paces = {
      'send-text': { limit: config.sendRatePerSecond, periodMs: 1000 },
      'send-media': { limit: config.sendMediaRatePerSecond, periodMs: 1000 },
    };
  }

  async getOwnProfile(creds: MetaCredentials): Promise<MetaAccountProfile> {
    if (creds.connectionType === 'instagram') {
      const body = await this.call(creds, {
        method: 'GET',
        path: '/me',
        params: { fields: ['user_id', ...ACCOUNT_FIELDS].join(',') },
      });
      return toAccountProfile(body, 'user_id');
    }
    const body = await this.call(creds, {
      method: 'GET',
      path: `/${segment(creds.instagramBusinessId)}`,
      params: { fields: ['id', ...ACCOUNT_FIELDS].join(',') },
    });
    return toAccountProfile(body, 'id');
  }

  async getRecentMedia(creds: MetaCredentials, limit = 12): Promise<MetaMedia[]> {
    const body = await this.call(creds, {
      method: 'GET',
      path: `/${segment(creds.instagramBusinessId)}/media`,
      params: { fields: MEDIA_FIELDS, limit },
    });
    return toMediaList(body);
  }

  async getMessagingUserProfile(creds: MetaCredentials, igsid: string): Promise<MetaUserProfile> {
    const body = await this.call(creds, {
      method: 'GET',
      path: `/${segment(igsid)}`,
      params: { fields: USER_PROFILE_FIELDS },
    });
    return toUserProfile(body, igsid);
  }

  async sendMessage(creds: MetaCredentials, input: SendMessageInput): Promise<SendMessageResult> {
    const body = await this.call(creds, {
      method: 'POST',
      path: `/${segment(messagingNode(creds))}/messages`,
      data: buildSendBody(input),
      pacing: isAudioOrVideo(input) ? 'send-media' : 'send-text',
      idempotent: false,
    });
    return toSendResult(body, input.recipientId);
  }

  async sendSenderAction(
    creds: MetaCredentials,
    recipientId: string,
    action: SenderAction,
  ): Promise<void> {
    requireRecipient(recipientId);
    await this.call(creds, {
      method: 'POST',
      path: `/${segment(messagingNode(creds))}/messages`,
      data: { recipient: { id: recipientId }, sender_action: action },
      pacing: 'send-text',
    });
  }

  /** Subscribes the account (Instagram Login) or its Page (Facebook Login) to the app's webhooks. */
  async subscribeWebhooks(creds: MetaCredentials): Promise<void> {
    const body = await this.call(creds, {
      method: 'POST',
      path: subscriptionPath(creds),
      params: { subscribed_fields: WEBHOOK_FIELDS[creds.connectionType].join(',') },
    });
    requireSuccess(body);
  }

  async unsubscribeWebhooks(creds: MetaCredentials): Promise<void> {
    const body = await this.call(creds, {
      method: 'DELETE',
      path: subscriptionPath(creds),
      params: { subscribed_fields: WEBHOOK_FIELDS[creds.connectionType].join(',') },
    });
    requireSuccess(body);
  }

  /** Exchanges a long-lived Instagram Login token for a fresh one (60 days). */
  async refreshInstagramToken(accessToken: string): Promise<RefreshedToken> {
    const body = await this.call(
      { accessToken, connectionType: 'instagram' },
      {
        method: 'GET',
        path: '/refresh_access_token',
        params: { grant_type: 'ig_refresh_token' },
        versioned: false,
      },
    );
    return toRefreshedToken(body, Date.now());
  }

  private async call(identity: CallIdentity, call: GraphCall): Promise<unknown> {
    const path =
      call.versioned === false ? call.path : `/${segment(this.config.apiVersion)}${call.path}`;
    const label = `${call.method} ${path}`;
    const endpoint = endpointPattern(call);
    for (let attempt = 0; ; attempt++) {
      if (call.pacing && identity.pacingKey !== undefined) {
        await this.pace(call.pacing, identity.pacingKey);
      }
      const startedAt = performance.now();
      try {
        this.logger.debug(label);
        const response = await this.send(identity, call, path);
        this.metrics.metaCall(endpoint, 'ok', performance.now() - startedAt);
        return response.data;
      } catch (caught) {
        const error = this.toError(caught, call.pacing !== undefined);
        this.metrics.metaCall(endpoint, error, performance.now() - startedAt);
        const delayMs =
          attempt < this.config.maxRetries &&
          (call.idempotent !== false || error.kind === 'rate_limited')
            ? this.retryDelay(error, attempt)
            : undefined;
        if (delayMs === undefined) {
          this.logger.warn(`${label} failed: ${summarize(error)}`);
          throw error;
        }
        this.logger.warn(
          `${label} failed: ${summarize(error)}; retry ${attempt + 1}/${this.config.maxRetries} in ${delayMs}ms`,
        );
        await sleep(delayMs);
      }
    }
  }

  /**
   * Waits for the account's next slot of `pacing`; fails when it is too far away, or when Redis
   * does not answer (nothing is sent then either).
   */
  private async pace(pacing: Pacing, pacingKey: string): Promise<void> {
    try {
      await this.pacer.acquire(
        `meta-${pacing}:${pacingKey}`,
        this.paces[pacing],
        this.config.pacingMaxWaitMs,
      );
    } catch (error) {
      if (error instanceof PaceExceededError) throw new MetaPaceExceededError(error.waitMs);
      this.logger.warn(`Outbound pacing unavailable: ${String(error)}`);
      throw new MetaPacingUnavailableError();
    }
  }

  private send(identity: CallIdentity, call: GraphCall, path: string): Promise<AxiosResponse> {
    const secret = this.appSecretFor(identity.connectionType);
    const params: Record<string, string | number> = {};
    for (const [key, value] of Object.entries(call.params ?? {})) {
      if (value !== undefined) params[key] = value;
    }
    if (secret) {
      params.appsecret_proof = createHmac('sha256', secret)
        .update(identity.accessToken)
        .digest('hex');
    }
    return firstValueFrom(
      this.http.request<unknown>({
        method: call.method,
        url: `${this.baseUrl(identity.connectionType)}${path}`,
        params,
        data: call.data,
        headers: {
          Authorization: `Bearer ${identity.accessToken}`,
          Accept: 'application/json',
        },
        timeout: this.config.timeoutMs,
        maxRedirects: 0,
      }),
    );
  }

  private baseUrl(connectionType: ConnectionType): string {
    return connectionType === 'instagram' ? this.config.instagramApiUrl : this.config.graphApiUrl;
  }

  /** Instagram Login tokens belong to the Instagram app, which may have its own secret. */
  private appSecretFor(connectionType: ConnectionType): string | undefined {
    if (connectionType === 'instagram') {
      return this.config.instagramAppSecret ?? this.config.appSecret;
    }
    return this.config.appSecret;
  }

  private toError(caught: unknown, isSend: boolean): MetaApiError {
    if (caught instanceof MetaApiError) return caught;
    if (isAxiosError(caught)) {
      if (caught.response) {
        return toMetaApiError({
          httpStatus: caught.response.status,
          body: caught.response.data,
          headers: { ...(caught.response.headers as Record<string, unknown>) },
          isSend,
        });
      }
      const timedOut = caught.code === 'ECONNABORTED' || caught.code === 'ETIMEDOUT';
      return toMetaApiError({ noResponse: timedOut ? 'timeout' : 'network' });
    }
    return new MetaApiError({
      kind: 'unknown',
      message: 'Meta API call failed unexpectedly',
      retryable: false,
    });
  }

  /**
   * Exponential backoff with full jitter; a rate limit waits at least as long
   * as Meta asks. Undefined when the error must not be retried.
   */
  private retryDelay(error: MetaApiError, attempt: number): number | undefined {
    if (!error.retryable) return undefined;
    const { retryBaseDelayMs, retryMaxDelayMs } = this.config;
    const backoff = Math.round(
      Math.random() * Math.min(retryMaxDelayMs, retryBaseDelayMs * 2 ** attempt),
    );
    if (error.kind === 'rate_limited' && error.retryAfterMs !== undefined) {
      if (error.retryAfterMs > retryMaxDelayMs) return undefined;
      return Math.max(backoff, error.retryAfterMs);
    }
    return backoff;
  }
}

/** Node that owns messages, conversations and webhook subscriptions. */
function messagingNode(creds: MetaCredentials): string {
  if (creds.connectionType === 'facebook') return creds.pageId ?? 'me';
  return creds.instagramBusinessId;
}

/**
 * The `subscribed_apps` edge: of the Page for Facebook Login; of `/me`, the
 * account the Instagram token belongs to, for Instagram Login.
 */
function subscriptionPath(creds: MetaCredentials): string {
  const node = creds.connectionType === 'instagram' ? 'me' : messagingNode(creds);
  return `/${segment(node)}/subscribed_apps`;
}

function segment(value: string): string {
  return encodeURIComponent(value);
}

function summarize(error: MetaApiError): string {
  const parts: string[] = [error.kind];
  if (error.httpStatus !== undefined) parts.push(`HTTP ${error.httpStatus}`);
  if (error.code !== undefined) parts.push(`code ${error.code}`);
  if (error.subcode !== undefined) parts.push(`subcode ${error.subcode}`);
  if (error.fbtraceId !== undefined) parts.push(`fbtrace_id ${error.fbtraceId}`);
  return parts.join(', ');
}

function isAudioOrVideo(input: SendMessageInput): boolean {
  return input.attachment?.type === 'audio' || input.attachment?.type === 'video';
}

function requireRecipient(recipientId: string): void {
  if (!recipientId) throw new ValidationError('A message needs a recipient');
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Validates a message and builds the Send API body. */
export function buildSendBody(input: SendMessageInput): Record<string, unknown> {
  requireRecipient(input.recipientId);
  const hasText = input.text !== undefined && input.text.trim() !== '';
  if (hasText && input.attachment) {
    throw new ValidationError('A message carries either text or an attachment, not both');
  }
  let message: Record<string, unknown>;
  if (input.attachment) {
    if (!isHttpUrl(input.attachment.url)) {
      throw new ValidationError('Attachment URL must be an http(s) URL');
    }
    message = {
      attachment: { type: input.attachment.type, payload: { url: input.attachment.url } },
    };
  } else if (hasText) {
    const text = input.text as string;
    if (Buffer.byteLength(text, 'utf8') > MAX_MESSAGE_TEXT_BYTES) {
      throw new ValidationError(`Message text must be at most ${MAX_MESSAGE_TEXT_BYTES} bytes`);
    }
    message = { text };
  } else {
    throw new ValidationError('A message needs text or an attachment');
  }
  const body: Record<string, unknown> = { recipient: { id: input.recipientId }, message };
  if (input.replyTo) body.reply_to = { mid: input.replyTo };
  if (input.tag) {
    body.messaging_type = 'MESSAGE_TAG';
    body.tag = input.tag;
  }
  return body;
}

/** The call's method and path with ids left out, e.g. `POST /{id}/messages`, for metrics. */
function endpointPattern(call: GraphCall): string {
  const path = call.path
    .split('/')
    .map((part) => (part === '' || /^[a-z_]+$/.test(part) ? part : '{id}'))
    .join('/');
  return `${call.method} ${path}`;
}
