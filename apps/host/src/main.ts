import { ConfigError, loadConfig } from './config/forecourt-config';
import { createForecourtApp } from './app.factory';
import { UsersService } from './network/users/users.service';
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
  // Only when the demo network is really there (a database with its own brands is never seeded).
  if (config.demo && (await app.get(UsersService).exists(DEMO_LOGINS[0].email))) {
    lines.push(`  demo logins (password "${DEMO_PASSWORD}"):`);
    for (const login of DEMO_LOGINS) lines.push(`    ${login.email.padEnd(18)} ${login.role}`);
  }
  console.log(lines.join('\n') + '\n');
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? `configuration error: ${error.message}` : error);
  process.exit(1);
});
