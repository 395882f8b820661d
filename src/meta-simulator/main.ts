import { loadEnvironment } from '../config/load-environment';
import { loadMetaSimulatorSettings } from '../config/meta.config';
import { startDemoSimulator } from './demo';

/**
 * Runs the Meta Graph API simulator for local development with one connected
 * account and one messaging user ready to use.
 */
async function main(): Promise<void> {
  loadEnvironment();
  const { simulator, instructions } = await startDemoSimulator(loadMetaSimulatorSettings());
  process.stdout.write(`${instructions.join('\n')}\n`);

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
