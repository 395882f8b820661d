import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Instagram DM Automation API')
    .setDescription(
      'Connect Instagram professional accounts, receive direct messages through Meta webhooks, ' +
        'read and answer conversations. Errors always use the envelope ' +
        '`{"error": {"code": <status>, "message": "...", "details": [...]}}`. ' +
        'An optional field (body or query) sent as the empty string is treated as not given.',
    )
    .setVersion('1.0.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  return SwaggerModule.createDocument(app, config);
}

const REDOC_PAGE = `<!DOCTYPE html>
<html>
  <head>
    <title>Instagram DM Automation API - ReDoc</title>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
  </head>
  <body>
    <redoc spec-url="/docs-json"></redoc>
    <script src="/redoc/redoc.standalone.js"></script>
  </body>
</html>`;

/** Swagger UI at /docs, the document at /docs-json, ReDoc at /redoc (served locally). */
export function setupApiDocs(app: INestApplication, fastify: FastifyInstance): void {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
  const bundle = require.resolve('redoc/bundles/redoc.standalone.js');
  let script: Buffer | undefined;
  fastify.get('/redoc', (_req, reply) => reply.type('text/html; charset=utf-8').send(REDOC_PAGE));
  fastify.get('/redoc/redoc.standalone.js', (_req, reply) => {
    script ??= readFileSync(bundle);
    return reply.type('application/javascript; charset=utf-8').send(script);
  });
}
