import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { systemScope } from '../common/scope/owner-scope';
import {
  INSTAGRAM_ACCOUNT_REMOVED,
  INSTAGRAM_ACCOUNT_RESTORED,
  type InstagramAccountLifecycleEvent,
} from '../instagram-accounts/instagram-account.events';
import { ConversationsRepository } from './conversations.repository';

/** Conversations (and so their messages) disappear with a removed account and return with it. */
@Injectable()
export class AccountLifecycleListener {
  constructor(private readonly repository: ConversationsRepository) {}

  @OnEvent(INSTAGRAM_ACCOUNT_REMOVED, { promisify: true, suppressErrors: false })
  async onRemoved(event: InstagramAccountLifecycleEvent): Promise<void> {
    await this.repository.setAccountRemoved(systemScope('account removed'), event.accountId, true);
  }

  @OnEvent(INSTAGRAM_ACCOUNT_RESTORED, { promisify: true, suppressErrors: false })
  async onRestored(event: InstagramAccountLifecycleEvent): Promise<void> {
    await this.repository.setAccountRemoved(
      systemScope('account restored'),
      event.accountId,
      false,
    );
  }
}
