import { TenantDb } from '../apps/host/src/database/tenant-db.service';
import { OutboxService } from '../apps/host/src/dispatch/outbox.service';
import { DEFAULT_MAX_CONNECTIONS } from '../plugins/channel-email/src/email.channel';
import { createNetwork, FIXTURE_ENV, NetworkFixture } from './support/network.fixture';
import { LoopbackSmtp, startSmtpServer } from './support/smtp-server';
import { startTestApp, TestApp } from './support/test-app';
import { WorkerProcesses } from './support/worker-process';

const MESSAGES = 2000;
const KILL_AFTER = 500;
/**
 * What a killed worker can leave `unknown`: the sends on the SMTP pool's connections, one marked
 * to go next on each, and those that had just finished and whose outcome was waiting for its commit.
 */
const AT_MOST_UNKNOWN = 3 * DEFAULT_MAX_CONNECTIONS;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The promise of the outbox under the worst case: a worker process killed with SIGKILL while it
 * is dispatching. Another worker takes over; no recipient gets a message twice, and what the
 * dead worker had under way ends `unknown` (never resent), a handful at most.
 */
describe('a dispatch worker killed in the middle of 2,000 emails', () => {
  let smtp: LoopbackSmtp;
  let t: TestApp;
  let net: NetworkFixture;
  let processes: WorkerProcesses;

  const startWorker = () => processes.start({ SMTP_URL: smtp.url });

  beforeAll(async () => {
    smtp = await startSmtpServer();
    // This process serves HTTP only: the dispatching is done by the worker processes.
    t = await startTestApp({ ...FIXTURE_ENV, FORECOURT_ROLE: 'api' });
    net = await createNetwork(t);
    processes = new WorkerProcesses(t);
  }, 60_000);

  afterAll(async () => {
    await processes?.stopAll();
    await t?.close();
    await smtp?.stop();
  });

  it('sends no address twice and leaves only the sends under way unknown', async () => {
    const dealerId = net.dealerA.id;
    const addresses = Array.from({ length: MESSAGES }, (_, i) => `crash-${String(i).padStart(4, '0')}@a.test`);
    await t.app.get(TenantDb).run(dealerId, (m) =>
      t.app.get(OutboxService).enqueue(
        m,
        dealerId,
        addresses.map((to) => ({
          dedupeKey: `crash:${to}`,
          channel: 'email',
          template: 'inspection-reminder/invite',
          locale: 'nl',
          recipient: { name: to, email: to, locale: 'nl' },
        })),
      ),
    );

    const first = startWorker();
    const deadline = Date.now() + 60_000;
    while (smtp.received.length < KILL_AFTER) {
      if (Date.now() > deadline || first.child.exitCode !== null) throw new Error(`the first worker sent ${smtp.received.length}:\n${first.output.join('')}`);
      await sleep(5);
    }
    first.child.kill('SIGKILL');
    await first.exited;
    const receivedAtKill = smtp.received.length;
    expect(receivedAtKill).toBeLessThan(MESSAGES);

    const second = startWorker();
    const settled = Date.now() + 90_000;
    for (;;) {
      const [{ open }] = await t.ownerQuery<{ open: number }>(
        `SELECT (SELECT count(*) FROM messages WHERE dealer_id = $1 AND status IN ('queued', 'sending'))::int
              + (SELECT count(*) FROM dispatch_queue WHERE dealer_id = $1)::int AS open`,
        [dealerId],
      );
      if (open === 0) break;
      if (Date.now() > settled || second.child.exitCode !== null) throw new Error(`${open} messages still open:\n${second.output.join('')}`);
      await sleep(100);
    }

    const counts = smtp.deliveriesByAddress();
    expect([...counts.entries()].filter(([, n]) => n > 1)).toEqual([]);
    const rows = await t.ownerQuery<{ status: string; email: string }>(`SELECT status, recipient->>'email' AS email FROM messages WHERE dealer_id = $1`, [dealerId]);
    expect(rows).toHaveLength(MESSAGES);
    const byStatus = rows.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});
    expect(Object.keys(byStatus).filter((s) => s !== 'sent' && s !== 'unknown')).toEqual([]);
    expect(byStatus.unknown ?? 0).toBeLessThanOrEqual(AT_MOST_UNKNOWN);
    // Every message recorded as sent reached the server exactly once; unknown ones at most once.
    for (const r of rows) expect([r.email, counts.get(r.email) ?? 0]).toEqual([r.email, r.status === 'sent' ? 1 : expect.any(Number)]);
    expect(smtp.received.length).toBeGreaterThanOrEqual(byStatus.sent);
    expect(second.output.join('')).toContain('Forecourt worker is running');

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    console.log(`killed after ${receivedAtKill} received; finally ${byStatus.sent} sent, ${byStatus.unknown ?? 0} unknown`);
  }, 150_000);
});
