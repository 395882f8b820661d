import { isRecord } from '../common/utils/is-record';
import type { GraphContext, Host } from './graph-context';
import { invalidParameter } from './simulator-http';
import { SIMULATED_APP } from './state';

/** Webhook subscriptions: `GET`, `POST` and `DELETE /{id}/subscribed_apps`. */

/**
 * Fields `subscribed_apps` accepts on each host: Page webhook fields on
 * graph.facebook.com (a Facebook-Login Page), Instagram webhook fields on
 * graph.instagram.com (an Instagram-Login account). Anything else is refused
 * with Meta's `(#100) Param subscribed_fields[i] must be one of {...}` error.
 */
const SUBSCRIBABLE_FIELDS: Record<Host, Set<string>> = {
  graph: new Set([
    'feed',
    'mention',
    'name',
    'picture',
    'category',
    'description',
    'conversations',
    'standby',
    'messages',
    'message_echoes',
    'message_edits',
    'message_deliveries',
    'message_reads',
    'message_reactions',
    'messaging_postbacks',
    'messaging_optins',
    'messaging_optouts',
    'messaging_referrals',
    'messaging_handovers',
    'messaging_policy_enforcement',
    'messaging_account_linking',
    'messaging_feedback',
    'response_feedback',
  ]),
  instagram: new Set([
    'comments',
    'live_comments',
    'message_echoes',
    'message_reactions',
    'messages',
    'messaging_handover',
    'messaging_optins',
    'messaging_postbacks',
    'messaging_referral',
    'messaging_seen',
    'standby',
  ]),
};

/** Lists, replaces or removes the app's subscribed fields on the token's account. */
export function subscribedApps(ctx: GraphContext): unknown {
  const account = ctx.account;
  if (ctx.method === 'GET') {
    return {
      data:
        account.subscribedFields.length > 0
          ? [{ ...SIMULATED_APP, subscribed_fields: account.subscribedFields }]
          : [],
    };
  }
  if (ctx.method === 'DELETE') {
    account.subscribedFields = [];
    return { success: true };
  }
  const raw =
    ctx.query.subscribed_fields ?? (isRecord(ctx.body) ? ctx.body.subscribed_fields : undefined);
  const fields = (
    Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(',') : []
  )
    .map((f) => f.trim())
    .filter((f) => f !== '');
  if (fields.length === 0) throw invalidParameter('The parameter subscribed_fields is required');
  const accepted = SUBSCRIBABLE_FIELDS[ctx.host];
  const unknown = fields.findIndex((f) => !accepted.has(f));
  if (unknown >= 0) {
    throw invalidParameter(
      `Param subscribed_fields[${unknown}] must be one of {${[...accepted].join(', ')}} - got "${fields[unknown]}"`,
      ctx.host === 'instagram' ? { type: 'IGApiException' } : {},
    );
  }
  account.subscribedFields = [...new Set(fields)];
  return { success: true };
}
