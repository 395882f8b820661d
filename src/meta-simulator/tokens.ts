import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isRecord } from '../common/utils/is-record';
import type { GraphContext, Host } from './graph-context';
import { graphError, stringOf, unsupportedRequest } from './simulator-http';
import type { SimAccount, SimulatorState } from './state';

/** Access tokens: who a token belongs to, its expiry, `appsecret_proof` and refreshing. */

const TOKEN_LIFETIME_SECONDS = 5_184_000;

/** A token in the format of its login type: `EAA…` (Facebook), `IGAA…` (Instagram). */
export function newToken(connectionType: SimAccount['connectionType']): string {
  return `${connectionType === 'facebook' ? 'EAA' : 'IGAA'}${randomBytes(36).toString('base64url')}`;
}

/** Later calls with this token fail with code 190, subcode 463. */
export function expireToken(world: SimulatorState, accessToken: string): void {
  for (const account of world.accounts.values()) {
    if (account.accessToken === accessToken) account.tokenExpired = true;
  }
  const issued = world.issuedTokens.get(accessToken);
  if (issued) issued.expired = true;
}

/** The token of a request: `Authorization` header, else `access_token` in the query or body. */
export function tokenOf(
  headers: Record<string, string>,
  query: Record<string, string>,
  body: unknown,
): string | undefined {
  const auth = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(headers.authorization ?? '');
  if (auth) return auth[1];
  return query.access_token || bodyString(body, 'access_token');
}

/** The account a token belongs to on this host, or Meta's token error. */
export function authenticate(
  world: SimulatorState,
  host: Host,
  token: string | undefined,
): SimAccount {
  if (!token) {
    throw graphError(
      400,
      2500,
      'An active access token must be used to query information about the current user.',
    );
  }
  const invalid = graphError(400, 190, 'Invalid OAuth access token - Cannot parse access token');
  let account: SimAccount | undefined;
  let expired: boolean;
  const issued = world.issuedTokens.get(token);
  if (issued) {
    account = world.accounts.get(issued.accountId);
    expired = issued.expired;
  } else {
    account = [...world.accounts.values()].find((a) => a.accessToken === token);
    expired = account?.tokenExpired ?? false;
  }
  if (!account) throw invalid;
  const tokenHost: Host = account.connectionType === 'instagram' ? 'instagram' : 'graph';
  if (tokenHost !== host) throw invalid;
  if (expired) {
    throw graphError(
      401,
      190,
      `Error validating access token: Session has expired on ${new Date(Date.now() - 60_000).toUTCString()}. The current time is ${new Date().toUTCString()}.`,
      { subcode: 463 },
    );
  }
  return account;
}

/** Refuses an `appsecret_proof` that is not the HMAC of the token with the app secret. */
export function checkAppSecretProof(
  appSecret: string,
  token: string | undefined,
  query: Record<string, string>,
  body: unknown,
): void {
  const proof = query.appsecret_proof ?? bodyString(body, 'appsecret_proof');
  if (proof === undefined || token === undefined) return;
  const expected = Buffer.from(createHmac('sha256', appSecret).update(token).digest('hex'));
  const given = Buffer.from(proof);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw graphError(400, 100, 'Invalid appsecret_proof provided in the API argument', {
      type: 'GraphMethodException',
    });
  }
}

/** `GET graph.instagram.com/refresh_access_token`: a new long-lived token; the old one stays valid. */
export function refreshToken(ctx: GraphContext): unknown {
  if (ctx.host !== 'instagram') throw unsupportedRequest(ctx.method, 'refresh_access_token');
  if (ctx.query.grant_type !== 'ig_refresh_token') {
    throw graphError(400, 100, 'Invalid grant_type: expected ig_refresh_token', {
      type: 'IGApiException',
    });
  }
  const accessToken = newToken('instagram');
  ctx.world.issuedTokens.set(accessToken, {
    accountId: ctx.account.instagramBusinessId,
    expired: false,
  });
  return { access_token: accessToken, token_type: 'bearer', expires_in: TOKEN_LIFETIME_SECONDS };
}

function bodyString(body: unknown, name: string): string | undefined {
  return isRecord(body) ? stringOf(body[name]) : undefined;
}
