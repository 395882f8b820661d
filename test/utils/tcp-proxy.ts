import { connect, createServer, type Server, type Socket } from 'node:net';

interface Pipe {
  to: Socket;
  held: Buffer[];
}

/**
 * A loopback TCP proxy in front of a server, to cut a process off from it without stopping it:
 * while paused, bytes are held in either direction (connections stay open, as in a network
 * partition); `resume()` delivers what was held and lets everything through again.
 */
export class TcpProxy {
  private paused = false;
  private readonly pipes = new Set<Pipe>();
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('Proxy not listening');
    return address.port;
  }

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server);
    server.on('connection', (client) => proxy.bridge(client, connect(target.port, target.host)));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return proxy;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    for (const pipe of this.pipes) {
      for (const chunk of pipe.held.splice(0)) pipe.to.write(chunk);
    }
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((done) => this.server.close(() => done()));
  }

  private bridge(client: Socket, upstream: Socket): void {
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      const pipe: Pipe = { to, held: [] };
      this.pipes.add(pipe);
      this.sockets.add(from);
      from.on('data', (chunk: Buffer) => {
        if (this.paused) pipe.held.push(chunk);
        else to.write(chunk);
      });
      from.on('error', end);
      from.on('close', () => {
        this.pipes.delete(pipe);
        this.sockets.delete(from);
        end();
      });
    }
  }
}
