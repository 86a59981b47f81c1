import { verifyWebhook } from '../apps/host/src/webhooks/webhook.signature';
import { createNetwork, FIXTURE_ENV, NetworkFixture } from './support/network.fixture';
import { startTestApp, TestApp } from './support/test-app';
import { WorkerProcesses } from './support/worker-process';
import { sleep, WebhookReceiver } from './support/webhook-receiver';


/**
 * At least once, when it matters most: a worker process killed with SIGKILL while its POST is
 * under way. Another worker process takes the delivery back at once (the dead one's lock is gone)
 * and delivers it: same event id, same body, so the receiver can deduplicate.
 */
describe('a webhook worker killed in the middle of a delivery', () => {
  let t: TestApp;
  let net: NetworkFixture;
  let receiver: WebhookReceiver;
  let processes: WorkerProcesses;

  const startWorker = () => processes.start({ FORECOURT_WEBHOOK_ALLOW_PRIVATE: '1' });

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    // This process serves HTTP only: deliveries are made by the worker processes.
    t = await startTestApp({ ...FIXTURE_ENV, FORECOURT_ROLE: 'api', FORECOURT_WEBHOOK_ALLOW_PRIVATE: '1' });
    net = await createNetwork(t);
    processes = new WorkerProcesses(t);
  }, 60_000);

  afterAll(async () => {
    await processes?.stopAll();
    await t?.close();
    await receiver?.stop();
  });

  it('delivers again from another worker, same event id, and records both attempts', async () => {
    const key = { 'X-Api-Key': net.dealerA.apiKey };
    const room = `/api/dealers/${net.dealerA.id}`;
    // The first request is never answered: the worker that sent it dies waiting.
    receiver.answers.set('/crm', (_, nth) => (nth === 1 ? 'hang' : 200));
    const endpoint = await t.http().post(`${room}/webhooks`).set(key).send({ url: `${receiver.url}/crm` });
    expect(endpoint.status).toBe(201);
    const consent = await t.http().post(`${room}/customers/C1/consents`).set(key).send({ channel: 'email', purpose: 'marketing', granted: false, source: 'crm' });
    expect(consent.status).toBe(201);

    const first = startWorker();
    await receiver.waitFor('/crm', 1, 60_000).catch((error) => {
      throw new Error(`${(error as Error).message}\n${first.output.join('')}`);
    });
    first.child.kill('SIGKILL');
    await first.exited;
    const [claim] = await t.ownerQuery<{ claimed_by: string | null }>('SELECT claimed_by FROM webhook_queue');
    // The dead worker's claim is still there: nothing but another worker can settle it.
    expect(claim.claimed_by).toEqual(expect.any(String));

    const second = startWorker();
    const got = await receiver.waitFor('/crm', 2, 60_000).catch((error) => {
      throw new Error(`${(error as Error).message}\n${second.output.join('')}`);
    });
    expect(got[1].headers['x-forecourt-event-id']).toBe(got[0].headers['x-forecourt-event-id']);
    expect(got[1].body).toBe(got[0].body);
    expect(verifyWebhook(endpoint.body.secret, got[1].headers['x-forecourt-signature'] as string, got[1].headers['x-forecourt-timestamp'] as string, got[1].body)).toBe(true);

    const deadline = Date.now() + 30_000;
    let deliveries: Record<string, unknown>[] = [];
    while (Date.now() < deadline) {
      deliveries = (await t.http().get(`${room}/webhooks/${endpoint.body.id}/deliveries`).set(key)).body;
      if (deliveries[0]?.status === 'delivered') break;
      await sleep(100);
    }
    expect(deliveries).toEqual([
      expect.objectContaining({ status: 'delivered', attempts: 2, lastHttpStatus: 200, eventId: got[0].headers['x-forecourt-event-id'] }),
    ]);
    expect(await t.ownerQuery('SELECT * FROM webhook_queue')).toEqual([]);

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 150_000);
});
