// Environment shared by every test file (runs in each worker before the tests).
process.env.NODE_ENV = 'test';
process.env.BCRYPT_COST = '4';
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';
process.env.META_APP_SECRET = 'test-app-secret';
process.env.META_VERIFY_TOKEN = 'test-verify-token';
process.env.META_APP_ID = 'test-app-id';
process.env.META_RETRY_BASE_DELAY_MS = '5';
process.env.META_RETRY_MAX_DELAY_MS = '50';
process.env.META_TIMEOUT_MS = '2000';
process.env.WEBHOOK_RETRY_BASE_DELAY_MS = '20';
delete process.env.MONGODB_URL;
delete process.env.SMTP_URL;
