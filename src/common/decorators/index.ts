export * from './api-error-responses.decorator';
export * from './current-user.decorator';
export * from './permissions.decorator';
export * from './public.decorator';
export * from './request-context.decorator';
