import { join, resolve } from 'node:path';
import { freePort } from '../../src/embedded/child-processes';
import { spawnChild, waitUntilHealthy, type ManagedChild } from '../bench/processes';

const REPO_ROOT = resolve(__dirname, '..', '..');
const MAIN_SCRIPT = join(REPO_ROOT, 'dist', 'main.js');
const STARTUP_TIMEOUT_MS = 120_000;

interface Instance {
  port: number;
  baseUrl: string;
  child: ManagedChild;
}

/**
 * API processes of one deployment (`node dist/main.js`), each on its own port with the same
 * environment: started together, and each one killed (`kill -9`) or restarted on its port.
 */
export class ApiProcesses {
  private readonly instances: Instance[] = [];

  private constructor(private readonly env: Record<string, string>) {}

  /** Starts `count` processes and waits until every one answers GET /health-check with 200. */
  static async start(count: number, env: Record<string, string>): Promise<ApiProcesses> {
    const processes = new ApiProcesses(env);
    try {
      for (let i = 0; i < count; i++) {
        const port = await freePort();
        processes.instances.push({
          port,
          baseUrl: `http://127.0.0.1:${port}`,
          child: processes.spawn(i, port),
        });
      }
      await Promise.all(processes.instances.map((_, i) => processes.waitHealthy(i)));
    } catch (error) {
      await processes.stop();
      throw error;
    }
    return processes;
  }

  get size(): number {
    return this.instances.length;
  }

  get baseUrls(): string[] {
    return this.instances.map((instance) => instance.baseUrl);
  }

  baseUrl(instance: number): string {
    return this.instances[instance].baseUrl;
  }

  /** The process id of an instance (a new one after a restart). */
  pid(instance: number): number {
    return this.instances[instance].child.pid;
  }

  /** `kill -9` of one process; resolves once it has exited. */
  async kill(instance: number): Promise<void> {
    const { child } = this.instances[instance];
    if (child.exited()) return;
    const exited = new Promise((done) => child.process.once('exit', done));
    child.process.kill('SIGKILL');
    await exited;
  }

  /** Starts the instance again on its port (killing it first if it runs) and waits until it is healthy. */
  async restart(instance: number): Promise<void> {
    await this.kill(instance);
    this.instances[instance].child = this.spawn(instance, this.instances[instance].port);
    await this.waitHealthy(instance);
  }

  /** The last output of a process, to explain a failure. */
  output(instance: number): string {
    return this.instances[instance].child.outputTail();
  }

  /** SIGTERM to every process (SIGKILL after ten seconds). */
  async stop(): Promise<void> {
    await Promise.all(this.instances.map(({ child }) => child.stop()));
  }

  private spawn(instance: number, port: number): ManagedChild {
    return spawnChild(
      `API ${instance}`,
      process.execPath,
      [MAIN_SCRIPT],
      { ...this.env, PORT: String(port), APP_URL: `http://127.0.0.1:${port}` },
      { cwd: REPO_ROOT },
    );
  }

  private async waitHealthy(instance: number): Promise<void> {
    const { baseUrl, child } = this.instances[instance];
    await waitUntilHealthy(`${baseUrl}/health-check`, child, Date.now(), STARTUP_TIMEOUT_MS);
  }
}
