import { ConfigError, ForecourtConfig, loadConfig } from './config/forecourt-config';
import { createForecourtApp, createForecourtContext } from './app.factory';
import { DEMO_LOGINS, DEMO_PASSWORD } from './seed/demo-network';

/** FORECOURT_ROLE=worker: the scheduler and dispatch, without HTTP, until SIGTERM or SIGINT. */
async function worker(config: ForecourtConfig) {
  const { close } = await createForecourtContext(config, { log: (line) => console.log(`[forecourt] ${line}`) });
  console.log(`Forecourt worker is running (pid ${process.pid})`);
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`${signal}: finishing sends under way`);
    close().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

async function main() {
  const config = loadConfig();
  if (config.role === 'worker') return worker(config);
  const started = Date.now();
  const { app } = await createForecourtApp(config);
  await app.listen(config.port);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const lines = [
    ``,
    `Forecourt is running (${seconds}s): ${config.publicUrl}`,
    `  studio:    ${config.publicUrl}/studio`,
    `  API docs:  ${config.publicUrl}/api/docs`,
    `  health:    ${config.publicUrl}/health`,
  ];
  if (config.role === 'api') lines.push('  role:      api (dispatch runs in FORECOURT_ROLE=worker processes)');
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
