import { HttpModule } from '@nestjs/axios';
import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createHmac } from 'node:crypto';
import { ValidationError } from '../common/errors';
import { metaConfig, type MetaConfig } from '../config/meta.config';
import { MetaSimulator, type SimAccount } from '../meta-simulator';
import { MetaApiError } from './meta-api.error';
import { MetricsService } from '../metrics/metrics.service';
import { PaceExceededError, Pacer, type Pace } from '../redis/pacer';
import { MetaGraphService } from './meta-graph.service';
import { MetaPaceExceededError, MetaPacingUnavailableError } from './meta-pace.error';
import { WEBHOOK_FIELDS, type MetaCredentials } from './meta.types';

const APP_SECRET = 'test-app-secret';

type PacerLike = Pick<Pacer, 'acquire'>;
/** Pacing lives in Redis (tested through the API); by default calls are never held back here. */
const UNPACED: PacerLike = { acquire: () => Promise.resolve(0) };

describe('MetaGraphService', () => {
  let sim: MetaSimulator;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    sim = await MetaSimulator.start({ appSecret: APP_SECRET });
  });

  afterAll(() => sim.stop());

  beforeEach(() => {
    sim.reset();
    sim.appSecret = APP_SECRET;
  });

  async function build(
    overrides: Partial<MetaConfig> = {},
    pacer: PacerLike = UNPACED,
  ): Promise<MetaGraphService> {
    const config: MetaConfig = {
      appSecret: APP_SECRET,
      verifyToken: 'verify-token',
      apiVersion: 'v21.0',
      graphApiUrl: sim.graphApiUrl,
      instagramApiUrl: sim.instagramApiUrl,
      timeoutMs: 2000,
      maxRetries: 3,
      retryBaseDelayMs: 1,
      retryMaxDelayMs: 10,
      sendRatePerSecond: 1000,
      sendMediaRatePerSecond: 1000,
      pacingMaxWaitMs: 2000,
      profileCacheSeconds: 60,
      tokenRefreshIntervalMs: 86_400_000,
      humanAgentEnabled: true,
      ...overrides,
    };
    const moduleRef = await Test.createTestingModule({
      imports: [HttpModule],
      providers: [
        MetaGraphService,
        MetricsService,
        { provide: metaConfig.KEY, useValue: config },
        { provide: Pacer, useValue: pacer },
      ],
    }).compile();
    return moduleRef.get(MetaGraphService);
  }

  function credsOf(account: SimAccount): MetaCredentials {
    return {
      accessToken: account.accessToken,
      connectionType: account.connectionType,
      instagramBusinessId: account.instagramBusinessId,
      pageId: account.pageId,
      pacingKey: account.instagramBusinessId,
    };
  }

  async function failure(promise: Promise<unknown>): Promise<MetaApiError> {
    const error: unknown = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MetaApiError);
    return error as MetaApiError;
  }

  const serverError = {
    message: 'An unexpected error has occurred. Please retry your request later.',
    type: 'OAuthException',
    code: 2,
  };

  describe('getOwnProfile', () => {
    it('reads a Facebook-connected account from the Graph host by its Instagram id', async () => {
      const service = await build();
      const account = sim.addAccount({ connectionType: 'facebook', username: 'fb_shop' });

      const profile = await service.getOwnProfile(credsOf(account));

      expect(profile).toEqual({
        id: account.instagramBusinessId,
        username: 'fb_shop',
        name: account.name,
        profilePictureUrl: account.profilePictureUrl,
        followersCount: account.followersCount,
        followsCount: account.followsCount,
        mediaCount: account.mediaCount,
        biography: account.biography,
        website: account.website,
      });
      expect(sim.requests).toHaveLength(1);
      expect(sim.requests[0].path).toBe(`/graph/v21.0/${account.instagramBusinessId}`);
      expect(sim.requests[0].query.fields).toBe(
        'id,username,name,profile_picture_url,followers_count,follows_count,media_count,biography,website',
      );
    });

    it('reads an Instagram Login account from /me and uses user_id as its id', async () => {
      const service = await build();
      const account = sim.addAccount({ connectionType: 'instagram', username: 'ig_shop' });

      const profile = await service.getOwnProfile(credsOf(account));

      expect(profile.id).toBe(account.instagramBusinessId);
      expect(profile.username).toBe('ig_shop');
      expect(sim.requests[0].path).toBe('/instagram/v21.0/me');
      expect(sim.requests[0].query.fields.split(',')[0]).toBe('user_id');
    });

    it('sends the token as a bearer header with appsecret_proof and never in the URL', async () => {
      const service = await build();
      const account = sim.addAccount();

      await service.getOwnProfile(credsOf(account));

      const [request] = sim.requests;
      expect(request.headers.authorization).toBe(`Bearer ${account.accessToken}`);
      expect(request.query.appsecret_proof).toBe(
        createHmac('sha256', APP_SECRET).update(account.accessToken).digest('hex'),
      );
      expect(request.query.access_token).toBeUndefined();
      expect(JSON.stringify(request.query)).not.toContain(account.accessToken);
      expect(request.path).not.toContain(account.accessToken);
    });

    it('omits appsecret_proof when no app secret is configured', async () => {
      const service = await build({ appSecret: undefined });
      const account = sim.addAccount();

      await service.getOwnProfile(credsOf(account));

      expect(sim.requests[0].query.appsecret_proof).toBeUndefined();
    });

    it('signs Instagram Login calls with the Instagram app secret when one is configured', async () => {
      const service = await build({ instagramAppSecret: 'instagram-app-secret' });
      sim.appSecret = 'instagram-app-secret';
      const account = sim.addAccount({ connectionType: 'instagram' });

      await service.getOwnProfile(credsOf(account));

      expect(sim.requests[0].query.appsecret_proof).toBe(
        createHmac('sha256', 'instagram-app-secret').update(account.accessToken).digest('hex'),
      );
    });

    it('fails with token_invalid for an expired token without retrying', async () => {
      const service = await build();
      const account = sim.addAccount();
      sim.expireToken(account.accessToken);

      const error = await failure(service.getOwnProfile(credsOf(account)));

      expect(error).toMatchObject({ kind: 'token_invalid', code: 190, subcode: 463, status: 424 });
      expect(sim.requests).toHaveLength(1);
    });

    it('never writes the token into its logs', async () => {
      const service = await build({ maxRetries: 1 });
      const account = sim.addAccount();
      sim.failNext({ status: 500, error: serverError, times: Infinity });
      const lines: string[] = [];
      const capture = (message: unknown) => {
        lines.push(String(message));
      };
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(capture);
      const debug = jest.spyOn(Logger.prototype, 'debug').mockImplementation(capture);

      await failure(service.getOwnProfile(credsOf(account)));
      warn.mockRestore();
      debug.mockRestore();

      expect(lines.length).toBeGreaterThan(0);
      expect(lines.join('\n')).not.toContain(account.accessToken);
      expect(lines.join('\n')).not.toContain('appsecret_proof');
    });
  });

  describe('retries', () => {
    it('retries HTTP 5xx with backoff and returns the eventual success', async () => {
      const service = await build();
      const account = sim.addAccount();
      sim.failNext({ status: 503, error: serverError, times: 2 });

      const profile = await service.getOwnProfile(credsOf(account));

      expect(profile.id).toBe(account.instagramBusinessId);
      expect(sim.requests).toHaveLength(3);
    });

    it('retries Graph error codes 1 and 2', async () => {
      const service = await build();
      const account = sim.addAccount();
      sim.failNext({
        status: 400,
        error: { message: 'An unknown error has occurred.', type: 'OAuthException', code: 1 },
      });
      sim.failNext({ status: 400, error: serverError });

      await service.getOwnProfile(credsOf(account));

      expect(sim.requests).toHaveLength(3);
    });

    it('gives up after maxRetries with a transient error', async () => {
      const service = await build({ maxRetries: 2 });
      const account = sim.addAccount();
      sim.failNext({ status: 500, error: serverError, times: Infinity });

      const error = await failure(service.getOwnProfile(credsOf(account)));

      expect(error).toMatchObject({ kind: 'transient', status: 424, httpStatus: 500, code: 2 });
      expect(sim.requests).toHaveLength(3);
    });

    it('does not retry a 4xx such as an invalid parameter', async () => {
      const service = await build();
      const account = sim.addAccount();
      sim.failNext({
        status: 400,
        error: { message: '(#100) Invalid parameter', type: 'OAuthException', code: 100 },
      });

      const error = await failure(service.getOwnProfile(credsOf(account)));

      expect(error).toMatchObject({ kind: 'invalid_parameter', status: 422, code: 100 });
      expect(sim.requests).toHaveLength(1);
    });

    it('waits out a 429 for as long as Meta asks, then succeeds', async () => {
      const service = await build({ retryMaxDelayMs: 5000 });
      const account = sim.addAccount();
      sim.setRateLimit(1);

      await service.getOwnProfile(credsOf(account));
      const profile = await service.getOwnProfile(credsOf(account));

      expect(profile.id).toBe(account.instagramBusinessId);
      expect(sim.requests).toHaveLength(3);
    });

    it('never resends a message after a server error, since it may already have gone out', async () => {
      const service = await build();
      const account = sim.addAccount();
      const user = sim.addUser();
      sim.failNext({ status: 503, error: serverError, times: 2 });

      const error = await service
        .sendMessage(credsOf(account), { recipientId: user.igsid, text: 'Once only' })
        .catch((e: unknown) => e);

      expect(error).toMatchObject({ kind: 'transient', status: 424 });
      expect(sim.requests).toHaveLength(1);
    });

    it('resends a message refused for a rate limit, which Meta did not process', async () => {
      const service = await build({ retryMaxDelayMs: 5000 });
      const account = sim.addAccount();
      const user = sim.addUser();
      sim.setRateLimit(1);

      await service.sendMessage(credsOf(account), { recipientId: user.igsid, text: 'first' });
      const second = await service.sendMessage(credsOf(account), {
        recipientId: user.igsid,
        text: 'second',
      });

      expect(second.messageId).toMatch(/^m_/);
      expect(sim.requests).toHaveLength(3);
      expect(sim.sentMessages).toHaveLength(2);
    });

    it('gives up at once when the rate limit wait exceeds the retry cap', async () => {
      const service = await build({ retryMaxDelayMs: 1000 });
      const account = sim.addAccount();
      sim.failNext({
        status: 400,
        error: {
          message: 'Application request limit reached',
          type: 'OAuthException',
          code: 80002,
        },
        headers: {
          'x-business-use-case-usage': JSON.stringify({
            [account.instagramBusinessId]: [
              { type: 'instagram', call_count: 100, estimated_time_to_regain_access: 5 },
            ],
          }),
        },
      });

      const error = await failure(service.getOwnProfile(credsOf(account)));

      expect(error).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 300_000 });
      expect(error.headers()).toEqual({ 'Retry-After': '300' });
      expect(sim.requests).toHaveLength(1);
    });

    it('turns a slow answer into a timeout error after retrying', async () => {
      const service = await build({ timeoutMs: 100, maxRetries: 1 });
      const account = sim.addAccount();
      sim.setLatency(1000);

      const error = await failure(service.getOwnProfile(credsOf(account)));

      expect(error).toMatchObject({ kind: 'timeout', status: 424, retryable: true });
      expect(sim.requests).toHaveLength(2);
    });

    it('turns a refused connection into a timeout error', async () => {
      const closed = await MetaSimulator.start();
      const url = closed.url;
      await closed.stop();
      const service = await build({ graphApiUrl: `${url}/graph`, maxRetries: 0 });
      const account = sim.addAccount({ connectionType: 'facebook' });

      const error = await failure(service.getOwnProfile(credsOf(account)));

      expect(error.kind).toBe('timeout');
    });
  });

  describe('media and user profiles', () => {
    it('lists recent media with the requested limit', async () => {
      const service = await build();
      const account = sim.addAccount({ mediaCount: 20 });

      const media = await service.getRecentMedia(credsOf(account), 5);

      expect(media).toHaveLength(5);
      expect(media[0]).toEqual(
        expect.objectContaining({
          id: expect.any(String),
          mediaType: 'IMAGE',
          mediaUrl: expect.stringMatching(/^http/),
          permalink: expect.stringMatching(/^https:\/\/www\.instagram\.com\/p\//),
          timestamp: expect.any(String),
        }),
      );
      expect(sim.requests[0].path).toBe(`/instagram/v21.0/${account.instagramBusinessId}/media`);
      expect(sim.requests[0].query).toMatchObject({
        limit: '5',
        fields: 'id,caption,media_type,media_url,thumbnail_url,permalink,timestamp',
      });
    });

    it('reads a messaging user profile by IGSID', async () => {
      const service = await build();
      const account = sim.addAccount();
      const user = sim.addUser({ username: 'jane', isUserFollowBusiness: true, followerCount: 42 });

      const profile = await service.getMessagingUserProfile(credsOf(account), user.igsid);

      expect(profile).toEqual({
        id: user.igsid,
        name: user.name,
        username: 'jane',
        profilePic: user.profilePic,
        followerCount: 42,
        isUserFollowBusiness: true,
        isBusinessFollowUser: false,
        isVerifiedUser: false,
      });
    });

    it('fails with invalid_parameter for an unknown IGSID', async () => {
      const service = await build();
      const account = sim.addAccount();

      const error = await failure(service.getMessagingUserProfile(credsOf(account), '999'));

      expect(error).toMatchObject({ kind: 'invalid_parameter', code: 100, subcode: 33 });
    });
  });

  describe('sendMessage', () => {
    it('posts a text message to the Page for Facebook-connected accounts', async () => {
      const service = await build();
      const account = sim.addAccount({ connectionType: 'facebook' });
      const user = sim.addUser();

      const result = await service.sendMessage(credsOf(account), {
        recipientId: user.igsid,
        text: 'Hello!',
      });

      expect(result.recipientId).toBe(user.igsid);
      expect(result.messageId).toMatch(/^m_/);
      expect(sim.requests[0].method).toBe('POST');
      expect(sim.requests[0].path).toBe(`/graph/v21.0/${account.pageId}/messages`);
      expect(sim.requests[0].body).toEqual({
        recipient: { id: user.igsid },
        message: { text: 'Hello!' },
      });
      expect(sim.sentMessages).toEqual([
        expect.objectContaining({
          accountId: account.instagramBusinessId,
          recipientId: user.igsid,
          messageId: result.messageId,
        }),
      ]);
    });

    it('posts to the Instagram account for Instagram Login accounts', async () => {
      const service = await build();
      const account = sim.addAccount({ connectionType: 'instagram' });
      const user = sim.addUser();

      await service.sendMessage(credsOf(account), { recipientId: user.igsid, text: 'Hi' });

      expect(sim.requests[0].path).toBe(`/instagram/v21.0/${account.instagramBusinessId}/messages`);
    });

    it('sends an attachment as a typed payload URL', async () => {
      const service = await build();
      const account = sim.addAccount();
      const user = sim.addUser();

      await service.sendMessage(credsOf(account), {
        recipientId: user.igsid,
        attachment: { type: 'image', url: 'https://cdn.example.com/a.png' },
      });

      expect(sim.requests[0].body).toEqual({
        recipient: { id: user.igsid },
        message: {
          attachment: { type: 'image', payload: { url: 'https://cdn.example.com/a.png' } },
        },
      });
    });

    it('adds reply_to and the HUMAN_AGENT tag when asked', async () => {
      const service = await build();
      const account = sim.addAccount();
      const user = sim.addUser();

      await service.sendMessage(credsOf(account), {
        recipientId: user.igsid,
        text: 'Sorry for the wait',
        replyTo: 'aWdfZAG1faXRlbToxOk',
        tag: 'HUMAN_AGENT',
      });

      expect(sim.requests[0].body).toEqual({
        recipient: { id: user.igsid },
        message: { text: 'Sorry for the wait' },
        reply_to: { mid: 'aWdfZAG1faXRlbToxOk' },
        messaging_type: 'MESSAGE_TAG',
        tag: 'HUMAN_AGENT',
      });
    });

    it('accepts text of exactly 1000 UTF-8 bytes', async () => {
      const service = await build();
      const account = sim.addAccount();
      const user = sim.addUser();

      await service.sendMessage(credsOf(account), {
        recipientId: user.igsid,
        text: 'é'.repeat(500),
      });

      expect(sim.sentMessages).toHaveLength(1);
    });

    it('refuses text over 1000 UTF-8 bytes without calling Meta', async () => {
      const service = await build();
      const account = sim.addAccount();
      const user = sim.addUser();

      await expect(
        service.sendMessage(credsOf(account), {
          recipientId: user.igsid,
          text: `a${'é'.repeat(500)}`,
        }),
      ).rejects.toBeInstanceOf(ValidationError);
      expect(sim.requests).toHaveLength(0);
    });

    it.each([
      [
        'a non-http attachment URL',
        { attachment: { type: 'image' as const, url: 'ftp://x/y.png' } },
      ],
      [
        'an attachment URL that is not a URL',
        { attachment: { type: 'file' as const, url: 'nope' } },
      ],
      ['no text and no attachment', {}],
      ['blank text', { text: '   ' }],
      [
        'text and an attachment together',
        { text: 'hi', attachment: { type: 'image' as const, url: 'https://x.test/a.png' } },
      ],
    ])('refuses %s without calling Meta', async (_label, input) => {
      const service = await build();
      const account = sim.addAccount();
      const user = sim.addUser();

      await expect(
        service.sendMessage(credsOf(account), { recipientId: user.igsid, ...input }),
      ).rejects.toBeInstanceOf(ValidationError);
      expect(sim.requests).toHaveLength(0);
    });

    it('reports a send outside the messaging window as outside_window', async () => {
      const service = await build();
      const account = sim.addAccount();
      const user = sim.addUser();
      sim.failNext({
        method: 'POST',
        path: '/messages',
        status: 400,
        error: {
          message: '(#10) This message is sent outside of allowed window.',
          type: 'OAuthException',
          code: 10,
          error_subcode: 2018278,
        },
      });

      const error = await failure(
        service.sendMessage(credsOf(account), { recipientId: user.igsid, text: 'Hi' }),
      );

      expect(error).toMatchObject({ kind: 'outside_window', status: 422 });
      expect(sim.sentMessages).toHaveLength(0);
    });

    it('reports an unknown recipient as invalid_parameter', async () => {
      const service = await build();
      const account = sim.addAccount();

      const error = await failure(
        service.sendMessage(credsOf(account), { recipientId: '123', text: 'Hi' }),
      );

      expect(error).toMatchObject({ kind: 'invalid_parameter', code: 100, subcode: 2018001 });
      expect(sim.sentMessages).toHaveLength(0);
    });
  });

  describe('sender actions', () => {
    it('sends a sender action', async () => {
      const service = await build();
      const account = sim.addAccount();
      const user = sim.addUser();

      await service.sendSenderAction(credsOf(account), user.igsid, 'typing_on');

      expect(sim.requests[0].body).toEqual({
        recipient: { id: user.igsid },
        sender_action: 'typing_on',
      });
    });
  });

  describe('webhook subscriptions', () => {
    it('subscribes and unsubscribes a Facebook-Login Page with Page field names', async () => {
      const service = await build();
      const account = sim.addAccount({ connectionType: 'facebook' });

      await service.subscribeWebhooks(credsOf(account));
      expect(account.subscribedFields).toEqual([...WEBHOOK_FIELDS.facebook]);
      expect(sim.requests[0]).toMatchObject({
        method: 'POST',
        path: `/graph/v21.0/${account.pageId}/subscribed_apps`,
        query: {
          subscribed_fields:
            'messages,messaging_postbacks,message_reads,messaging_referrals,message_reactions,message_edits',
        },
      });

      await service.unsubscribeWebhooks(credsOf(account));
      expect(account.subscribedFields).toEqual([]);
      expect(sim.requests[1].method).toBe('DELETE');
    });

    it('subscribes an Instagram-Login account through /me with Instagram field names', async () => {
      const service = await build();
      const account = sim.addAccount({ connectionType: 'instagram' });

      await service.subscribeWebhooks(credsOf(account));
      expect(account.subscribedFields).toEqual([...WEBHOOK_FIELDS.instagram]);
      expect(sim.requests[0]).toMatchObject({
        method: 'POST',
        path: '/instagram/v21.0/me/subscribed_apps',
        query: {
          subscribed_fields:
            'messages,messaging_postbacks,messaging_seen,messaging_referral,message_reactions',
        },
      });
    });
  });

  describe('pacing', () => {
    it('paces text, images and sender actions by the text rate and audio and video by the media rate, per account', async () => {
      const paced: { key: string; pace: Pace; maxWaitMs?: number }[] = [];
      const service = await build(
        { sendRatePerSecond: 100, sendMediaRatePerSecond: 10, pacingMaxWaitMs: 1500 },
        {
          acquire: (key, pace, maxWaitMs) => {
            paced.push({ key, pace, maxWaitMs });
            return Promise.resolve(0);
          },
        },
      );
      const account = sim.addAccount({ connectionType: 'instagram' });
      const user = sim.addUser();
      const creds = { ...credsOf(account), pacingKey: 'account-1' };
      const url = 'https://cdn.example.com/file';

      await service.sendMessage(creds, { recipientId: user.igsid, text: 'text' });
      await service.sendMessage(creds, {
        recipientId: user.igsid,
        attachment: { type: 'image', url },
      });
      await service.sendMessage(creds, {
        recipientId: user.igsid,
        attachment: { type: 'audio', url },
      });
      await service.sendMessage(creds, {
        recipientId: user.igsid,
        attachment: { type: 'video', url },
      });
      await service.sendSenderAction(creds, user.igsid, 'mark_seen');
      await service.getOwnProfile(creds);

      const text = { pace: { limit: 100, periodMs: 1000 }, maxWaitMs: 1500 };
      const media = { pace: { limit: 10, periodMs: 1000 }, maxWaitMs: 1500 };
      expect(paced).toEqual([
        { key: 'meta-send-text:account-1', ...text },
        { key: 'meta-send-text:account-1', ...text },
        { key: 'meta-send-media:account-1', ...media },
        { key: 'meta-send-media:account-1', ...media },
        { key: 'meta-send-text:account-1', ...text },
      ]);
    });

    it('refuses with 429 and Retry-After in whole seconds, sending nothing, when the slot is beyond the wait bound', async () => {
      const service = await build(
        {},
        { acquire: () => Promise.reject(new PaceExceededError(1500)) },
      );
      const account = sim.addAccount({ connectionType: 'instagram' });
      const error: unknown = await service
        .sendMessage(credsOf(account), { recipientId: sim.addUser().igsid, text: 'paced' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MetaPaceExceededError);
      expect((error as MetaPaceExceededError).status).toBe(429);
      expect((error as MetaPaceExceededError).headers()).toEqual({ 'Retry-After': '2' });
      expect(sim.requests).toHaveLength(0);
    });

    it('refuses with 503, sending nothing, when the pace cannot be checked', async () => {
      const service = await build(
        {},
        { acquire: () => Promise.reject(new Error('Command timed out')) },
      );
      const account = sim.addAccount({ connectionType: 'instagram' });
      const error: unknown = await service
        .sendMessage(credsOf(account), { recipientId: sim.addUser().igsid, text: 'unpaced' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MetaPacingUnavailableError);
      expect((error as MetaPacingUnavailableError).status).toBe(503);
      expect(sim.requests).toHaveLength(0);
    });
  });

  describe('refreshInstagramToken', () => {
    it('returns a new long-lived token while the old one keeps working', async () => {
      const service = await build();
      const account = sim.addAccount({ connectionType: 'instagram' });
      const before = Date.now();

      const refreshed = await service.refreshInstagramToken(account.accessToken);

      expect(refreshed.accessToken).not.toBe(account.accessToken);
      expect(refreshed.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 5_184_000_000);
      const [request] = sim.requests;
      expect(request.path).toBe('/instagram/refresh_access_token');
      expect(request.query.grant_type).toBe('ig_refresh_token');
      expect(request.headers.authorization).toBe(`Bearer ${account.accessToken}`);
      expect(JSON.stringify(request.query)).not.toContain(account.accessToken);

      const viaNew = await service.getOwnProfile({
        ...credsOf(account),
        accessToken: refreshed.accessToken,
      });
      const viaOld = await service.getOwnProfile(credsOf(account));
      expect(viaNew.id).toBe(account.instagramBusinessId);
      expect(viaOld.id).toBe(account.instagramBusinessId);
    });
  });
});
