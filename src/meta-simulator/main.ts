import { loadMetaSimulatorSettings } from '../config/meta.config';
import { MetaSimulator } from './meta-simulator';

/**
 * Runs the Meta Graph API simulator for local development with one connected
 * account and one messaging user ready to use.
 */
async function main(): Promise<void> {
  const settings = loadMetaSimulatorSettings();
  const simulator = await MetaSimulator.start(settings);
  const account = simulator.addAccount({ username: 'demo_shop', name: 'Demo Shop' });
  const user = simulator.addUser({ username: 'demo_customer', name: 'Demo Customer' });
  const control = `${simulator.url}/_simulator`;
  const lines = [
    `Meta Graph API simulator listening on ${simulator.url}`,
    '',
    'Point the app at it:',
    `  META_GRAPH_API_URL=${simulator.graphApiUrl}`,
    `  META_INSTAGRAM_API_URL=${simulator.instagramApiUrl}`,
    `  META_APP_SECRET=${simulator.appSecret}`,
    '',
    `Webhooks are delivered to: ${simulator.webhookUrl ?? '(none: set META_SIMULATOR_WEBHOOK_URL or pass "url")'}`,
    '',
    'Demo account (Instagram Login):',
    `  instagramBusinessId=${account.instagramBusinessId}`,
    `  username=${account.username}`,
    `  accessToken=${account.accessToken}`,
    `Demo messaging user: igsid=${user.igsid} username=${user.username}`,
    '',
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
    '',
    'Example:',
    `  curl -X POST ${control}/inbound-message -H 'content-type: application/json' \\`,
    `    -d '{"instagramBusinessId":"${account.instagramBusinessId}","from":"${user.igsid}","text":"Hi!"}'`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  const shutdown = (): void => {
    simulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
