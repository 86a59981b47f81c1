import mjml2html from 'mjml';
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';

export interface MjmlProblem {
  line?: number;
  tagName?: string;
  message: string;
}

/** Invalid MJML: the message lists MJML's own messages, `problems` keeps them with their lines (for the studio). */
export class MjmlCompileError extends Error {
  constructor(readonly problems: MjmlProblem[]) {
    super(`invalid MJML: ${problems.map((p) => (p.line ? `line ${p.line}${p.tagName ? ` (${p.tagName})` : ''}: ${p.message}` : p.message)).join('; ')}`);
  }
}

/**
 * Strict validation refuses a template with any MJML error instead of rendering it half right.
 * Includes are off (a template must not read files), comments and web-font links are left out
 * (a message must not load fonts from a third party).
 */
export const MJML_OPTIONS = { validationLevel: 'strict', ignoreIncludes: true, keepComments: false, fonts: {}, minify: false, beautify: false } as const;

type MjmlResult = { html: string; errors?: { line?: number; tagName?: string; message?: string; formattedMessage?: string }[] };

function problemsOf(error: unknown): MjmlProblem[] | undefined {
  const list = (error as { errors?: MjmlResult['errors'] })?.errors;
  if (!Array.isArray(list) || !list.length) return undefined;
  return list.map((e) => ({ line: e.line, tagName: e.tagName, message: e.message ?? e.formattedMessage ?? 'invalid MJML' }));
}

/** MJML to HTML. Counts its compiles, so a test can prove that a cache in front of it works. */
export class MjmlCompiler {
  compiles = 0;

  async compile(source: string): Promise<string> {
    this.compiles++;
    let result: MjmlResult;
    try {
      result = (await mjml2html(source, MJML_OPTIONS as never)) as MjmlResult;
    } catch (error) {
      const problems = problemsOf(error);
      if (problems) throw new MjmlCompileError(problems);
      throw new MjmlCompileError([{ message: (error as Error)?.message ?? String(error) }]);
    }
    const problems = problemsOf(result);
    if (problems) throw new MjmlCompileError(problems);
    return result.html;
  }
}

/** How long a synchronous compile may take before the caller gets an error instead. */
const SYNC_TIMEOUT_MS = 30_000;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const mjml2html = require(workerData.mjmlPath);
const port = workerData.port;
const flag = new Int32Array(workerData.flag);
parentPort.on('message', async ({ source, options }) => {
  let answer;
  try {
    const result = await mjml2html(source, options);
    answer = { html: result.html, errors: result.errors };
  } catch (error) {
    answer = { failed: error && error.message ? error.message : String(error), errors: error && error.errors };
  }
  port.postMessage(answer);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
`;

/**
 * mjml 5 compiles asynchronously, while the plugin SDK's `renderer.mjml(source)` returns a string.
 * This runs MJML on a worker thread and blocks the caller until it answers (Atomics.wait), so the
 * synchronous contract holds without a second MJML version. Started on first use.
 */
export class SyncMjml {
  private worker?: Worker;
  private port?: MessagePort;
  private flag?: Int32Array;

  compile(source: string): string {
    const { worker, port, flag } = this.start();
    Atomics.store(flag, 0, 0);
    worker.postMessage({ source, options: MJML_OPTIONS });
    if (Atomics.wait(flag, 0, 0, SYNC_TIMEOUT_MS) === 'timed-out') {
      this.stop();
      throw new Error(`MJML did not finish within ${SYNC_TIMEOUT_MS / 1000} s`);
    }
    const answer = receiveMessageOnPort(port)?.message as (MjmlResult & { failed?: string }) | undefined;
    if (!answer) throw new Error('the MJML worker gave no answer');
    const problems = problemsOf(answer);
    if (problems) throw new MjmlCompileError(problems);
    if (answer.failed !== undefined) throw new MjmlCompileError([{ message: answer.failed }]);
    return answer.html;
  }

  stop(): void {
    void this.worker?.terminate();
    this.port?.close();
    this.worker = this.port = this.flag = undefined;
  }

  private start(): { worker: Worker; port: MessagePort; flag: Int32Array } {
    if (this.worker && this.port && this.flag) return { worker: this.worker, port: this.port, flag: this.flag };
    const { port1, port2 } = new MessageChannel();
    const shared = new SharedArrayBuffer(4);
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { mjmlPath: require.resolve('mjml'), port: port2, flag: shared },
      transferList: [port2],
    });
    worker.unref();
    port1.unref();
    worker.on('error', () => this.stop());
    this.worker = worker;
    this.port = port1;
    this.flag = new Int32Array(shared);
    return { worker, port: port1, flag: this.flag };
  }
}
