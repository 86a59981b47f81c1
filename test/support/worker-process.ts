import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TestApp } from './test-app';

const ROOT = resolve(__dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'apps', 'host', 'src', 'main.js');

export interface WorkerProcess {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

/**
 * Real worker processes (`FORECOURT_ROLE=worker`, the built server) on a test app's database, for
 * the crash tests: they can be killed with SIGKILL mid-work, as no in-process worker can.
 */
export class WorkerProcesses {
  private readonly workers: WorkerProcess[] = [];
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'forecourt-worker-'));

  constructor(private readonly t: TestApp) {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npm run build)`);
  }

  start(env: Record<string, string> = {}): WorkerProcess {
    const output: string[] = [];
    const child = spawn(process.execPath, [MAIN], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: this.t.ownerUrl,
        FORECOURT_SECRET: this.t.config.secret,
        FORECOURT_DATA_DIR: this.dataDir,
        FORECOURT_DEMO: '0',
        FORECOURT_ROLE: 'worker',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const worker = { child, output, exited };
    this.workers.push(worker);
    return worker;
  }

  /** Kills what still runs and removes the workers' data directory. */
  async stopAll(): Promise<void> {
    for (const w of this.workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await Promise.all(this.workers.map((w) => w.exited));
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
