export default async function globalTeardown(): Promise<void> {
  await Promise.all([globalThis.__EMBEDDED_DB__?.stop(), globalThis.__EMBEDDED_REDIS__?.stop()]);
  globalThis.__EMBEDDED_DB__ = undefined;
  globalThis.__EMBEDDED_REDIS__ = undefined;
}
