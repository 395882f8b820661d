import { MetaSimulator, type SimAccount, type SimUser } from './meta-simulator';

export interface DemoSimulator {
  simulator: MetaSimulator;
  account: SimAccount;
  user: SimUser;
  /** What to print for a developer: URLs, the demo account and the control API. */
  instructions: string[];
}

/** Starts the simulator with one connected-ready account and one messaging user. */
export async function startDemoSimulator(options: {
  port?: number;
  host?: string;
  appSecret?: string;
  webhookUrl?: string;
}): Promise<DemoSimulator> {
  const simulator = await MetaSimulator.start(options);
  const account = simulator.addAccount({ username: 'demo_shop', name: 'Demo Shop' });
  const user = simulator.addUser({ username: 'demo_customer', name: 'Demo Customer' });
  const control = `${simulator.url}/_simulator`;
  const instructions = [
    `Meta Graph API simulator listening on ${simulator.url}`,
    `  META_GRAPH_API_URL=${simulator.graphApiUrl}`,
    `  META_INSTAGRAM_API_URL=${simulator.instagramApiUrl}`,
    `  META_APP_SECRET=${simulator.appSecret}`,
    `Webhooks are delivered to: ${simulator.webhookUrl ?? '(none: set META_SIMULATOR_WEBHOOK_URL or pass "url")'}`,
    'Demo account (Instagram Login): connect it with POST /v1/instagram {"accessToken": "..."}',
    `  instagramBusinessId=${account.instagramBusinessId} username=${account.username}`,
    `  accessToken=${account.accessToken}`,
    `Demo messaging user: igsid=${user.igsid} username=${user.username}`,
    'Control API (JSON):',
    `  GET  ${control}/state`,
    `  POST ${control}/accounts          Partial<SimAccount>  -> account incl. accessToken`,
    `  POST ${control}/users             Partial<SimUser>`,
    `  POST ${control}/inbound-message   {instagramBusinessId, from?, text?, attachments?, url?}`,
    `  POST ${control}/expire-token      {accessToken}`,
    `  POST ${control}/fail-next         {method?, path?, times?, status, error: {message, code, ...}}`,
    `  POST ${control}/latency           {ms}`,
    `  POST ${control}/rate-limit        {callsPerSecond | null}`,
    `  POST ${control}/reset`,
    'Simulate an inbound DM:',
    `  curl -X POST ${control}/inbound-message -H 'content-type: application/json' \\`,
    `    -d '{"instagramBusinessId":"${account.instagramBusinessId}","from":"${user.igsid}","text":"Hi!"}'`,
  ];
  return { simulator, account, user, instructions };
}
