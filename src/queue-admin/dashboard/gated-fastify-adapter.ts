import { FastifyAdapter } from '@bull-board/fastify';
import { Logger } from '@nestjs/common';
import type { FastifyPluginCallback, onRequestAsyncHookHandler } from 'fastify';
import type { ErrorEnvelope } from '../../common/filters/all-exceptions.filter';
import type { DashboardSessions } from './dashboard-sessions';

const logger = new Logger('QueueDashboard');

function envelope(code: number, message: string): ErrorEnvelope {
  return { error: { code, message, details: [] } };
}

/** Refuses every dashboard request (page, assets, API) that carries no valid admin session. */
export function dashboardGate(sessions: DashboardSessions): onRequestAsyncHookHandler {
  return async (request, reply) => {
    void reply.header('Cache-Control', 'no-store');
    let allowed: boolean;
    try {
      allowed = (await sessions.userFor(request.headers.cookie)) !== null;
    } catch (error) {
      logger.warn(`Dashboard session check failed: ${(error as Error).message}`);
      return reply.code(503).send(envelope(503, 'Service unavailable'));
    }
    if (!allowed) {
      return reply
        .code(401)
        .send(
          envelope(
            401,
            'Open a dashboard session first: POST /v1/admin/queues/session with an admin access token',
          ),
        );
    }
  };
}

/**
 * bull-board's Fastify adapter with {@link dashboardGate} installed in the dashboard's own plugin
 * scope, so it guards every route bull-board registers there and nothing else.
 */
export function gatedFastifyAdapter(sessions: DashboardSessions): new () => FastifyAdapter {
  const gate = dashboardGate(sessions);
  return class GatedFastifyAdapter extends FastifyAdapter {
    override registerPlugin(): FastifyPluginCallback {
      const plugin = super.registerPlugin();
      return (fastify, options, done) => {
        fastify.addHook('onRequest', gate);
        plugin(fastify, options, done);
      };
    }
  };
}
