import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AuditLogsService, type RequestContext } from '../audit-logs/audit-logs.service';
import type { AuditAction } from '../audit-logs/schemas/audit-log.schema';
import { TokenCipher } from '../common/crypto/token-cipher';
import type { AuthUser } from '../common/decorators';
import { ConflictError, ValidationError } from '../common/errors';
import { ownerScope, systemScope } from '../common/scope/owner-scope';
import { MetaApiError } from '../meta/meta-api.error';
import { MetaGraphService } from '../meta/meta-graph.service';
import type { ConnectionType, MetaAccountProfile, MetaCredentials } from '../meta/meta.types';
import { accountAuditTarget } from './account-audit-target';
import { AccountsGateway } from './accounts.gateway';
import {
  toConnectRequest,
  type ConnectInstagramAccountDto,
} from './dto/connect-instagram-account.dto';
import { emitAccountLifecycle, INSTAGRAM_ACCOUNT_RESTORED } from './instagram-account.events';
import {
  InstagramAccountsRepository,
  type AccountChanges,
  type ConnectionFields,
  type InstagramAccountRecord,
} from './instagram-accounts.repository';
import { WebhookSubscriptionService } from './webhook-subscription.service';

/** Lifetime of a long-lived Instagram Login token. */
const INSTAGRAM_TOKEN_LIFETIME_MS = 60 * 24 * 60 * 60 * 1000;

/** Meta errors that mean the offered token (or the ids sent with it) is not usable. */
const REJECTED_TOKEN_KINDS = new Set(['token_invalid', 'invalid_parameter', 'permission']);

/** An Instagram id is connected once, whoever connected it. */
const ANY_OWNER_OF_INSTAGRAM_ID = systemScope('one account per Instagram id across owners');

/** A token offered for an account already stored, with what storing it changes. */
export interface TokenReplacement {
  creds: MetaCredentials;
  changes: AccountChanges;
}

/**
 * Connecting an account with a token Meta accepts: a new account, the owner's
 * removed one brought back, or one waiting for reconnection given a new token;
 * anything else already connected is a conflict.
 */
@Injectable()
export class AccountConnectionService {
  constructor(
    private readonly repository: InstagramAccountsRepository,
    private readonly gateway: AccountsGateway,
    private readonly subscriptions: WebhookSubscriptionService,
    private readonly meta: MetaGraphService,
    private readonly cipher: TokenCipher,
    private readonly audit: AuditLogsService,
    private readonly events: EventEmitter2,
  ) {}

  async connect(
    caller: AuthUser,
    dto: ConnectInstagramAccountDto,
    context: RequestContext,
  ): Promise<InstagramAccountRecord> {
    const request = toConnectRequest(dto);
    const pageId = request.connectionType === 'facebook' ? request.pageId : undefined;
    const fallback = request.connectionType === 'facebook' ? request.fallback : {};
    const creds: MetaCredentials = {
      accessToken: request.accessToken,
      connectionType: request.connectionType,
      // Instagram Login reads `/me`: the account id is learnt from the profile.
      instagramBusinessId: request.instagramBusinessId ?? 'me',
      ...(pageId ? { pageId } : {}),
      pacingKey: `connect:${caller.id}`,
    };
    const profile = await this.verifyToken(creds);
    if (request.instagramBusinessId !== undefined && profile.id !== request.instagramBusinessId) {
      throw new ValidationError('The access token belongs to a different Instagram account', [
        { field: 'instagramBusinessId', messages: ['does not match the account of the token'] },
      ]);
    }
    const now = new Date();
    const fields: ConnectionFields = {
      connectionType: request.connectionType,
      instagramBusinessId: profile.id,
      ...(pageId ? { pageId } : {}),
      username: profile.username || fallback.username || profile.id,
      ...(profile.name ? { name: profile.name } : {}),
      profilePictureUrl: profile.profilePictureUrl ?? fallback.profilePictureUrl,
      followersCount: profile.followersCount ?? fallback.followersCount ?? 0,
      accessToken: this.cipher.encrypt(request.accessToken),
      ...tokenDates(request.connectionType, now),
      tokenIssuedAt: now,
    };
    const { account, action, reactivated } = await this.store(caller.id, fields);
    this.gateway.forgetRefs();
    const accountId = String(account._id);
    await this.audit.record({
      action,
      context,
      target: accountAuditTarget(accountId),
      metadata: {
        connectionType: fields.connectionType,
        instagramBusinessId: fields.instagramBusinessId,
        username: fields.username,
        ...(reactivated ? { reactivated: true } : {}),
      },
    });
    const subscription = await this.subscriptions.subscribe(
      ownerScope(caller.id),
      accountId,
      { ...creds, instagramBusinessId: fields.instagramBusinessId, pacingKey: accountId },
      context,
    );
    return { ...account, ...subscription };
  }

  /**
   * A new token for a stored account: verified with Meta, it must reach the
   * same Instagram account; storing it refreshes the profile and clears
   * `reconnectRequired`.
   */
  async replaceToken(
    account: InstagramAccountRecord,
    accessToken: string,
  ): Promise<TokenReplacement> {
    const creds: MetaCredentials = {
      accessToken,
      connectionType: account.connectionType,
      instagramBusinessId: account.instagramBusinessId,
      ...(account.pageId ? { pageId: account.pageId } : {}),
      pacingKey: String(account._id),
    };
    const profile = await this.verifyToken(creds);
    if (profile.id !== account.instagramBusinessId) {
      throw new ValidationError('The access token belongs to a different Instagram account', [
        { field: 'accessToken', messages: ['must belong to the connected Instagram account'] },
      ]);
    }
    const now = new Date();
    const changes: AccountChanges = {
      ...(profile.username ? { username: profile.username } : {}),
      ...(profile.name ? { name: profile.name } : {}),
      ...(profile.profilePictureUrl ? { profilePictureUrl: profile.profilePictureUrl } : {}),
      ...(profile.followersCount !== undefined ? { followersCount: profile.followersCount } : {}),
      accessToken: this.cipher.encrypt(accessToken),
      tokenIssuedAt: now,
      tokenExpiresAt: tokenDates(account.connectionType, now).tokenExpiresAt ?? null,
      reconnectRequired: false,
    };
    return { creds, changes };
  }

  /** The profile the token gives access to; a token Meta refuses is the caller's input error. */
  private async verifyToken(creds: MetaCredentials): Promise<MetaAccountProfile> {
    try {
      return await this.meta.getOwnProfile(creds);
    } catch (error) {
      if (error instanceof MetaApiError && REJECTED_TOKEN_KINDS.has(error.kind)) {
        throw new ValidationError(
          `Meta rejected the access token: ${error.message}`,
          error.details,
        );
      }
      throw error;
    }
  }

  private async store(
    ownerId: string,
    fields: ConnectionFields,
  ): Promise<{ account: InstagramAccountRecord; action: AuditAction; reactivated: boolean }> {
    const scope = ownerScope(ownerId);
    const existing = await this.repository.findByInstagramBusinessId(
      ANY_OWNER_OF_INSTAGRAM_ID,
      fields.instagramBusinessId,
    );
    if (!existing) {
      const account = await this.repository.create(scope, fields);
      if (!account) throw alreadyConnected();
      return { account, action: 'instagram_account.connected', reactivated: false };
    }
    if (String(existing.user) !== ownerId) {
      throw new ConflictError('This Instagram account is connected by another user');
    }
    const id = String(existing._id);
    if (existing.removedAt) {
      const account = await this.repository.reactivate(scope, id, fields);
      if (!account) throw alreadyConnected();
      await emitAccountLifecycle(this.events, INSTAGRAM_ACCOUNT_RESTORED, id);
      return { account, action: 'instagram_account.connected', reactivated: true };
    }
    if (existing.reconnectRequired) {
      const account = await this.repository.reconnect(scope, id, fields);
      if (!account) throw alreadyConnected();
      return { account, action: 'instagram_account.reconnected', reactivated: false };
    }
    throw alreadyConnected();
  }
}

function tokenDates(connectionType: ConnectionType, now: Date): { tokenExpiresAt?: Date } {
  return connectionType === 'instagram'
    ? { tokenExpiresAt: new Date(now.getTime() + INSTAGRAM_TOKEN_LIFETIME_MS) }
    : {};
}

function alreadyConnected(): ConflictError {
  return new ConflictError('This Instagram account is already connected');
}
