export * from './api-error-responses.decorator';
export * from './current-user.decorator';
export * from './id-param.decorator';
export * from './permissions.decorator';
export * from './public.decorator';
export * from './request-context.decorator';
export * from './route.decorator';
