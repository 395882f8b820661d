import { Controller, Get } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { ParseObjectIdPipe } from '../pipes/parse-object-id.pipe';
import { IdParam } from './id-param.decorator';
import { PERMISSIONS_KEY } from './permissions.decorator';
import { IS_PUBLIC_KEY } from './public.decorator';
import { PublicRoute, Route } from './route.decorator';

const RESPONSES = 'swagger/apiResponse';
const SECURITY = 'swagger/apiSecurity';
const OPERATION = 'swagger/apiOperation';
const PARAMETERS = 'swagger/apiParameters';

@Controller('probe')
class ProbeController {
  @Route({ permission: 'view-logs', summary: 'One permission', errors: [404] })
  @Get('one')
  one(): void {}

  @Route({ permission: ['manage-users', 'view-logs'], summary: 'Two', description: 'Both' })
  @Get('two')
  two(): void {}

  @Route({ permission: 'any-user', summary: 'Signed in', errors: [409] })
  @Get('mine')
  mine(): void {}

  @Route({ permission: 'view-messages', summary: 'By id', errors: [404] })
  @Get(':conversationId')
  byId(@IdParam('conversationId') _conversationId: string): void {}

  @PublicRoute({ summary: 'Open', errors: [400, 401, { status: 403, description: 'Own words' }] })
  @Get('open')
  open(): void {}
}

const handler = (name: keyof ProbeController) => ProbeController.prototype[name];
const statuses = (name: keyof ProbeController) =>
  Object.keys(Reflect.getMetadata(RESPONSES, handler(name)) as object).sort();
const description = (name: keyof ProbeController, status: number) =>
  (Reflect.getMetadata(RESPONSES, handler(name)) as Record<string, { description: string }>)[status]
    .description;

describe('@Route', () => {
  it('declares the permissions, bearer auth, summary, 401, 403 and the listed errors', () => {
    expect(Reflect.getMetadata(PERMISSIONS_KEY, handler('one'))).toEqual(['view-logs']);
    expect(Reflect.getMetadata(SECURITY, handler('one'))).toEqual([{ bearer: [] }]);
    expect(Reflect.getMetadata(OPERATION, handler('one'))).toMatchObject({
      summary: 'One permission',
    });
    expect(statuses('one')).toEqual(['401', '403', '404']);
    expect(Reflect.getMetadata(PERMISSIONS_KEY, handler('two'))).toEqual([
      'manage-users',
      'view-logs',
    ]);
    expect(Reflect.getMetadata(OPERATION, handler('two'))).toMatchObject({ description: 'Both' });
  });

  it('declares no permission and no 403 for any signed-in user', () => {
    expect(Reflect.getMetadata(PERMISSIONS_KEY, handler('mine'))).toEqual([]);
    expect(statuses('mine')).toEqual(['401', '409']);
  });

  it('adds 400 once for an id parameter, validated by the ObjectId pipe and documented with its pattern', () => {
    expect(statuses('byId')).toEqual(['400', '401', '403', '404']);
    expect(description('byId', 400)).toBe('Invalid input (per-field reasons in `details`)');
    expect(Reflect.getMetadata(PARAMETERS, handler('byId'))).toEqual([
      expect.objectContaining({
        name: 'conversationId',
        in: 'path',
        description: 'Conversation id (24 hex characters)',
        schema: { type: 'string', pattern: '^[0-9a-fA-F]{24}$' },
      }),
    ]);
    const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, ProbeController, 'byId') as Record<
      string,
      { data: unknown; pipes: unknown[] }
    >;
    expect(Object.values(args)).toEqual([
      { index: 0, data: 'conversationId', pipes: [ParseObjectIdPipe] },
    ]);
  });
});

describe('@PublicRoute', () => {
  it('marks the route public, without bearer auth, and words 401 and 403 for a public route', () => {
    expect(Reflect.getMetadata(IS_PUBLIC_KEY, handler('open'))).toBe(true);
    expect(Reflect.getMetadata(SECURITY, handler('open'))).toBeUndefined();
    expect(Reflect.getMetadata(PERMISSIONS_KEY, handler('open'))).toBeUndefined();
    expect(statuses('open')).toEqual(['400', '401', '403']);
    expect(description('open', 401)).toMatch(/not accepted/);
    expect(description('open', 403)).toBe('Own words');
  });
});
