import { Controller, Get, Module, Post, type DynamicModule, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer, NestFactory, Reflector } from '@nestjs/core';
import { AppModule } from '../src/app.module';
import { IS_PUBLIC_KEY, PERMISSIONS_KEY, Permissions, Public } from '../src/common/decorators';

interface RouteHandler {
  name: string;
  isPublic: boolean;
  permissions: unknown;
}

/** Every route handler of every controller the module graph registers (no database needed). */
async function discoverHandlers(root: DynamicModule | Type): Promise<RouteHandler[]> {
  const app = await NestFactory.createApplicationContext(root, { preview: true, logger: false });
  try {
    const reflector = new Reflector();
    const scanner = new MetadataScanner();
    const handlers: RouteHandler[] = [];
    for (const moduleRef of app.get(ModulesContainer).values()) {
      for (const wrapper of moduleRef.controllers.values()) {
        const controller = wrapper.metatype as Type | null;
        if (!controller) continue;
        const prototype = controller.prototype as Record<string, unknown>;
        for (const method of scanner.getAllMethodNames(prototype)) {
          const handler = prototype[method] as () => unknown;
          if (Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
          if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
          const targets = [handler, controller];
          handlers.push({
            name: `${controller.name}.${method}`,
            isPublic: reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets) === true,
            permissions: reflector.getAllAndOverride<unknown>(PERMISSIONS_KEY, targets),
          });
        }
      }
    }
    return handlers;
  } finally {
    await app.close();
  }
}

function unprotected(handlers: RouteHandler[]): string[] {
  return handlers
    .filter((handler) => !handler.isPublic && !Array.isArray(handler.permissions))
    .map((handler) => handler.name);
}

describe('route protection', () => {
  it('gives every route of the application either @Public() or @Permissions(...)', async () => {
    const saved = process.env.NODE_ENV;
    // Development registers every controller, including development-only ones.
    process.env.NODE_ENV = 'development';
    let root: DynamicModule;
    try {
      root = AppModule.register({
        databaseUri: 'mongodb://127.0.0.1:1/not-connected',
        redisUrl: 'redis://127.0.0.1:1',
      });
    } finally {
      process.env.NODE_ENV = saved;
    }
    const handlers = await discoverHandlers(root);

    expect(handlers.map((handler) => handler.name)).toEqual(
      expect.arrayContaining([
        'AuthController.login',
        'UsersController.remove',
        'AuditLogsController.list',
        'DevOutboxController.list',
      ]),
    );
    expect(unprotected(handlers)).toEqual([]);
  });

  it('reports a route that declares neither', async () => {
    @Controller('probe')
    class ProbeController {
      @Public()
      @Get('open')
      open(): void {}

      @Permissions()
      @Get('mine')
      mine(): void {}

      @Post('forgotten')
      forgotten(): void {}

      formatName(): void {}
    }

    @Module({ controllers: [ProbeController] })
    class ProbeModule {}

    const handlers = await discoverHandlers(ProbeModule);
    expect(handlers.map((handler) => handler.name).sort()).toEqual([
      'ProbeController.forgotten',
      'ProbeController.mine',
      'ProbeController.open',
    ]);
    expect(unprotected(handlers)).toEqual(['ProbeController.forgotten']);
  });
});
