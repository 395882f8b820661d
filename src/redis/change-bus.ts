import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { RedisConnections } from './redis-connections';

type Handler = (payload: string) => void;

interface Envelope {
  origin: string;
  topic: string;
  payload: string;
}

/**
 * Tells every instance at once about a change that makes cached state stale (a user disabled,
 * an account's token replaced...), over Redis pub/sub. Handlers run in the publishing process
 * synchronously and in every other process within Redis' delivery time. A message published
 * while Redis is unreachable is lost, so caches that rely on it keep a short TTL as a bound.
 */
@Injectable()
export class ChangeBus implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ChangeBus.name);
  private readonly origin = randomUUID();
  private readonly handlers = new Map<string, Handler[]>();
  private readonly channel: string;

  constructor(private readonly redis: RedisConnections) {
    this.channel = redis.key('changes');
  }

  /** Registers `handler` for `topic` (in this process). */
  on(topic: string, handler: Handler): void {
    this.handlers.set(topic, [...(this.handlers.get(topic) ?? []), handler]);
  }

  /** Runs the topic's handlers here and publishes the change to the other instances. */
  async publish(topic: string, payload: string): Promise<void> {
    this.dispatch(topic, payload);
    const envelope: Envelope = { origin: this.origin, topic, payload };
    try {
      await this.redis.commands.publish(this.channel, JSON.stringify(envelope));
    } catch (error) {
      this.logger.warn(`Could not publish ${topic} to other instances: ${String(error)}`);
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    const subscriber = this.redis.subscriber();
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      let envelope: Envelope;
      try {
        envelope = JSON.parse(message) as Envelope;
      } catch {
        return;
      }
      if (envelope.origin !== this.origin) this.dispatch(envelope.topic, envelope.payload);
    });
    await subscriber.subscribe(this.channel);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis
      .subscriber()
      .unsubscribe(this.channel)
      .catch(() => undefined);
  }

  private dispatch(topic: string, payload: string): void {
    for (const handler of this.handlers.get(topic) ?? []) {
      try {
        handler(payload);
      } catch (error) {
        this.logger.error({ err: error }, `Handler of ${topic} failed`);
      }
    }
  }
}
