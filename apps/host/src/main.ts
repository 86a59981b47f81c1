import { ConfigError, loadConfig } from './config/forecourt-config';
import { createForecourtApp } from './app.factory';
import { DEMO_LOGINS, DEMO_PASSWORD } from './seed/demo-network';

async function main() {
  const config = loadConfig();
  const started = Date.now();
  const { app } = await createForecourtApp(config);
  await app.listen(config.port);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const lines = [
    ``,
    `Forecourt is running (${seconds}s): ${config.publicUrl}`,
    `  API docs:  ${config.publicUrl}/api/docs`,
    `  health:    ${config.publicUrl}/health`,
  ];
  if (config.demo) {
    lines.push(`  demo logins (password "${DEMO_PASSWORD}"):`);
    for (const login of DEMO_LOGINS) lines.push(`    ${login.email.padEnd(18)} ${login.role}`);
  }
  console.log(lines.join('\n') + '\n');
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? `configuration error: ${error.message}` : error);
  process.exit(1);
});
