import { rmSync } from 'node:fs';

export default async function globalTeardown() {
  await globalThis.__forecourtPostgres?.stop();
  if (process.env.FORECOURT_TEST_DIR) rmSync(process.env.FORECOURT_TEST_DIR, { recursive: true, force: true });
}
