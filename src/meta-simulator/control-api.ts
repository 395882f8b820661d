import type { ServerResponse } from 'node:http';
import { isRecord } from '../common/utils/is-record';
import type { FailureRule } from './faults';
import { PLACEHOLDER_PNG, sendJson, stringOf } from './simulator-http';
import type { SimAccount, SimulatorState, SimUser } from './state';
import type { DeliveryOptions } from './webhook-delivery';
import { inboundMessage, webhookBatch } from './webhook-events';

/** The control API under `/_simulator`: the simulator's own methods over HTTP, and its assets. */

/** What the control API drives: the public methods of the simulator. */
export interface ControlledSimulator {
  webhookUrl?: string;
  state(): Record<string, unknown>;
  addAccount(input: Partial<SimAccount>): SimAccount;
  addUser(input?: Partial<SimUser>): SimUser;
  expireToken(accessToken: string): void;
  failNext(rule: FailureRule): void;
  setLatency(ms: number): void;
  setRateLimit(callsPerSecond: number | undefined): void;
  reset(): void;
  deliverWebhook(payload: unknown, options: DeliveryOptions): Promise<unknown>;
}

interface ControlAnswer {
  status: number;
  body: unknown;
}

type ControlRoute = (
  sim: ControlledSimulator,
  world: SimulatorState,
  body: Record<string, unknown>,
) => ControlAnswer | Promise<ControlAnswer>;

const SUCCESS: ControlAnswer = { status: 200, body: { success: true } };

const showState: ControlRoute = (sim) => ({ status: 200, body: sim.state() });

const ROUTES = new Map<string, ControlRoute>([
  ['GET /_simulator', showState],
  ['GET /_simulator/state', showState],
  [
    'POST /_simulator/accounts',
    (sim, _world, body) => ({ status: 201, body: sim.addAccount(body) }),
  ],
  ['POST /_simulator/users', (sim, _world, body) => ({ status: 201, body: sim.addUser(body) })],
  ['POST /_simulator/inbound-message', inboundMessageRoute],
  [
    'POST /_simulator/expire-token',
    (sim, _world, body) => {
      if (typeof body.accessToken !== 'string') return refused(400, 'accessToken is required');
      sim.expireToken(body.accessToken);
      return SUCCESS;
    },
  ],
  [
    'POST /_simulator/fail-next',
    (sim, _world, body) => {
      if (typeof body.status !== 'number' || !isRecord(body.error)) {
        return refused(400, 'status and error are required');
      }
      sim.failNext({ ...(body as unknown as FailureRule), times: timesOf(body.times) });
      return SUCCESS;
    },
  ],
  [
    'POST /_simulator/latency',
    (sim, _world, body) => {
      sim.setLatency(numberOr(body.ms, 0));
      return SUCCESS;
    },
  ],
  [
    'POST /_simulator/rate-limit',
    (sim, _world, body) => {
      sim.setRateLimit(typeof body.callsPerSecond === 'number' ? body.callsPerSecond : undefined);
      return SUCCESS;
    },
  ],
  [
    'POST /_simulator/reset',
    (sim) => {
      sim.reset();
      return SUCCESS;
    },
  ],
]);

/** Answers a request below `/_simulator`; bodies are JSON objects. */
export async function handleControl(
  sim: ControlledSimulator,
  world: SimulatorState,
  method: string,
  url: URL,
  rawBody: string,
  res: ServerResponse,
): Promise<void> {
  if (method === 'GET' && url.pathname.startsWith('/_simulator/assets/')) {
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': PLACEHOLDER_PNG.length });
    res.end(PLACEHOLDER_PNG);
    return;
  }
  const body = jsonObject(rawBody);
  if (!body) {
    sendJson(res, 400, { error: { message: 'Body must be a JSON object' } });
    return;
  }
  const route = ROUTES.get(`${method} ${url.pathname.replace(/\/+$/, '')}`);
  const answer = route
    ? await route(sim, world, body)
    : refused(404, `No simulator control route ${method} ${url.pathname}`);
  sendJson(res, answer.status, answer.body);
}

/** A message from a user (created when new) to an account, delivered as a signed webhook. */
async function inboundMessageRoute(
  sim: ControlledSimulator,
  world: SimulatorState,
  body: Record<string, unknown>,
): Promise<ControlAnswer> {
  const accountId = stringOf(body.instagramBusinessId);
  if (!accountId || !world.accounts.has(accountId)) {
    return refused(404, 'instagramBusinessId must name a simulated account');
  }
  const target = stringOf(body.url) ?? sim.webhookUrl;
  if (!target) return refused(400, 'No webhook URL: pass url or start the simulator with one');
  const from = stringOf(body.from) || undefined;
  const user = from ? (world.users.get(from) ?? sim.addUser({ igsid: from })) : sim.addUser();
  const attachments = Array.isArray(body.attachments)
    ? body.attachments.filter(isRecord).map((a) => ({
        type: stringOf(a.type) ?? 'image',
        url: stringOf(a.url),
      }))
    : undefined;
  const event = inboundMessage({
    account: accountId,
    from: user.igsid,
    text: stringOf(body.text),
    attachments,
  });
  const payload = webhookBatch([{ id: accountId, messaging: [event] }]);
  try {
    const delivered = await sim.deliverWebhook(payload, { url: target });
    return { status: 200, body: { delivered, payload } };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return refused(502, `Webhook delivery to ${target} failed: ${reason}`, { payload });
  }
}

function refused(
  status: number,
  message: string,
  extra: Record<string, unknown> = {},
): ControlAnswer {
  return { status, body: { error: { message }, ...extra } };
}

/** The body parsed as a JSON object (an empty body is `{}`), else undefined. */
function jsonObject(rawBody: string): Record<string, unknown> | undefined {
  if (rawBody === '') return {};
  try {
    const parsed = JSON.parse(rawBody) as unknown;
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** `times` of a failure rule sent as JSON, where `"always"` stands for Infinity. */
function timesOf(value: unknown): number {
  if (value === 'always' || value === 'Infinity') return Infinity;
  return numberOr(value, 1);
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && !Number.isNaN(value) ? value : fallback;
}
