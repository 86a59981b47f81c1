import { bearer, createNetwork, FIXTURE_ENV, NetworkFixture } from './support/network.fixture';
import { startTestApp, TestApp } from './support/test-app';

describe('services: catalog, brand policies, dealer subscriptions', () => {
  let t: TestApp;
  let net: NetworkFixture;

  beforeAll(async () => {
    t = await startTestApp(FIXTURE_ENV);
    net = await createNetwork(t);
  });
  afterAll(() => t?.close());

  it('lists every service with channels, pricing, settings schema and its flow', async () => {
    const res = await t.http().get('/api/services').set(bearer(net.dealerA.adminToken)).expect(200);
    const keys = res.body.map((s: { key: string }) => s.key);
    expect(keys).toEqual(expect.arrayContaining(['inspection-reminder', 'maintenance-reminder', 'warranty-offer', 'birthday-greeting', 'post-visit', 'win-back', 'welcome']));
    const apk = res.body.find((s: { key: string }) => s.key === 'inspection-reminder');
    expect(apk.defaults).toEqual({ channels: ['email', 'letter'], leadTimeDays: 42, reminderAfterDays: 14, callListAfterDays: 28, smsDaysBeforeAppointment: 1 });
    expect(apk.channels).toEqual(expect.arrayContaining(['email', 'letter', 'call-list', 'sms']));
    expect(apk.flow.map((s: { id: string }) => s.id)).toEqual(['invite', 'reminder', 'call', 'appointment-sms']);
  });

  it('lets a dealer switch a service on within the brand bounds, refusing out-of-bounds values by name', async () => {
    const brandId = net.brands[0].id;
    await t.http().put(`/api/brands/${brandId}/services/inspection-reminder`).set(bearer(net.brandAdminToken))
      .send({ mode: 'optional', subsidyPercent: 25, settingsBounds: { leadTimeDays: { minimum: 28, maximum: 56 }, channels: { allowed: ['email', 'letter'] } } })
      .expect(200);
    const refused = await t.http().put(`/api/dealers/${net.dealerA.id}/services/inspection-reminder`).set(bearer(net.dealerA.adminToken))
      .send({ enabled: true, settings: { leadTimeDays: 70, channels: ['sms'] } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['settings.channels', 'settings.leadTimeDays']);
    const ok = await t.http().put(`/api/dealers/${net.dealerA.id}/services/inspection-reminder`).set(bearer(net.dealerA.adminToken))
      .send({ enabled: true, monthlyBudgetCents: 5000, settings: { leadTimeDays: 35 } })
      .expect(200);
    expect(ok.body).toMatchObject({ key: 'inspection-reminder', state: 'on', monthlyBudgetCents: 5000, settings: { leadTimeDays: 35, reminderAfterDays: 14 } });
    const list = await t.http().get(`/api/dealers/${net.dealerA.id}/services`).set(bearer(net.dealerA.userToken)).expect(200);
    expect(list.body.find((s: { key: string }) => s.key === 'inspection-reminder')).toMatchObject({ state: 'on', spentThisMonthCents: 0, subsidyByBrand: { [brandId]: 25 } });
  });

  it('keeps mandatory services on and unavailable ones off', async () => {
    const [vela] = net.brands;
    await t.http().put(`/api/brands/${vela.id}/services/welcome`).set(bearer(net.adminToken)).send({ mode: 'mandatory' }).expect(200);
    const off = await t.http().put(`/api/dealers/${net.dealerA.id}/services/welcome`).set(bearer(net.dealerA.adminToken)).send({ enabled: false });
    expect(off.status).toBe(400);
    expect(off.body.errors[0].field).toBe('enabled');
    await t.http().put(`/api/brands/${vela.id}/services/win-back`).set(bearer(net.adminToken)).send({ mode: 'unavailable' }).expect(200);
    const on = await t.http().put(`/api/dealers/${net.dealerA.id}/services/win-back`).set(bearer(net.dealerA.adminToken)).send({ enabled: true });
    expect(on.status).toBe(400);
    // Dealer B also sells the second brand, which still offers win-back.
    await t.http().put(`/api/dealers/${net.dealerB.id}/services/win-back`).set(bearer(net.dealerB.adminToken)).send({ enabled: true }).expect(200);
  });

  it('refuses bounds a brand may not set, naming the field, and other brands and dealers', async () => {
    const bad = await t.http().put(`/api/brands/${net.brands[0].id}/services/inspection-reminder`).set(bearer(net.brandAdminToken))
      .send({ mode: 'optional', settingsBounds: { leadTimeDays: { minimum: 1 }, colour: { allowed: ['red'] } } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['settingsBounds.colour', 'settingsBounds.leadTimeDays.minimum']);
    await t.http().put(`/api/brands/${net.brands[1].id}/services/welcome`).set(bearer(net.brandAdminToken)).send({ mode: 'optional' }).expect(403);
    await t.http().get(`/api/dealers/${net.dealerB.id}/services`).set(bearer(net.dealerA.adminToken)).expect(404);
    await t.http().put(`/api/dealers/${net.dealerA.id}/services/welcome`).set(bearer(net.dealerA.userToken)).send({ enabled: true }).expect(403);
    await t.http().put(`/api/dealers/${net.dealerA.id}/services/no-such-service`).set(bearer(net.dealerA.adminToken)).send({ enabled: true }).expect(404);
  });
});
