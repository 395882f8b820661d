import { createTestApp, type TestApp } from './utils/test-app';

interface Operation {
  description?: string;
  parameters?: { name: string; in: string; schema?: Record<string, unknown> }[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
}

describe('OpenAPI document of messaging routes', () => {
  let t: TestApp;
  let paths: Record<string, Record<string, Operation>>;
  let schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }>;

  beforeAll(async () => {
    t = await createTestApp();
    const doc = await t.http.get('/docs-json').expect(200);
    paths = doc.body.paths;
    schemas = doc.body.components.schemas;
  });

  afterAll(async () => {
    await t.close();
  });

  it('documents Meta failures as 424, and no 502 or 503 on routes that call Meta', () => {
    const metaRoutes: [string, string][] = [
      ['/v1/messages/{conversationId}', 'post'],
      ['/v1/instagram', 'post'],
      ['/v1/instagram/{accountId}', 'patch'],
      ['/v1/instagram/{accountId}/profile', 'get'],
    ];
    for (const [path, method] of metaRoutes) {
      expect({ path, method, statuses: Object.keys(paths[path][method].responses) }).toEqual({
        path,
        method,
        statuses: expect.arrayContaining(['424', '429']),
      });
    }
    for (const [path, operations] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const statuses = Object.keys(operation.responses);
        expect({ path, method, has502: statuses.includes('502') }).toEqual({
          path,
          method,
          has502: false,
        });
        if (path !== '/health-check') {
          expect({ path, method, has503: statuses.includes('503') }).toEqual({
            path,
            method,
            has503: false,
          });
        }
      }
    }
  });

  it('documents the send body as text, attachment or both, and both answers', () => {
    const send = paths['/v1/messages/{conversationId}'].post;
    const body = send.requestBody?.content['application/json'].schema;
    expect(body).toEqual({
      allOf: [{ $ref: '#/components/schemas/SendMessageDto' }],
      anyOf: [{ required: ['text'] }, { required: ['attachment'] }],
    });
    expect(send.responses['201'].content?.['application/json'].schema).toEqual({
      oneOf: [
        { $ref: '#/components/schemas/MessageResponseDto' },
        { $ref: '#/components/schemas/CaptionedMessageResponseDto' },
      ],
    });
    expect(schemas.CaptionedMessageResponseDto.properties).toHaveProperty('parts');
    expect(schemas.CaptionedMessageResponseDto.required).toEqual(
      expect.arrayContaining(['id', 'sender', 'text', 'attachments', 'timestamp', 'parts']),
    );
    expect(send.description).toMatch(/attachment first, then the text/);
  });

  it('documents includeFailed and admin reads on the message list', () => {
    const list = paths['/v1/messages/{conversationId}'].get;
    expect(list.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'includeFailed', in: 'query' })]),
    );
    expect(list.description).toMatch(/includeFailed=true/);
    expect(list.description).toMatch(/ADMIN_INBOX_ACCESS/);
    expect(paths['/v1/conversations/{accountId}'].get.description).toMatch(/inbox\.read_by_admin/);
  });
});
