import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AppointmentDto } from '../data-room/appointments/appointment.dto';
import { ConsentDto } from '../data-room/consents/consent.dto';
import { CustomerDto } from '../data-room/customers/customer.dto';
import { VehicleDto } from '../data-room/vehicles/vehicle.dto';
import { ThemeDto } from '../network/brands/brand.dto';
import { CreateDealerDto, E164_PATTERN } from '../network/dealers/dealer.dto';
import { DEMO_LOGINS, DEMO_NETWORK_NAME, DemoDealer, DemoNetwork, DemoRecord, generateDemoNetwork, vinCheckDigit } from './demo-network';

const TODAY = '2025-03-10';
const addDays = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

function problems<T extends object>(dto: new () => T, plain: object): string[] {
  return validateSync(plainToInstance(dto, plain), { whitelist: true, forbidNonWhitelisted: true }).map((e) =>
    `${e.property}: ${Object.values(e.constraints ?? {}).join(', ') || JSON.stringify(e.children?.map((c) => c.constraints))}`,
  );
}

describe('demo network generator', () => {
  let demo: DemoNetwork;
  beforeAll(() => {
    demo = generateDemoNetwork(TODAY);
  });

  const all = <K extends 'customers' | 'vehicles' | 'consents' | 'appointments'>(key: K): DemoDealer[K] =>
    demo.dealers.flatMap((d) => d[key] as DemoRecord<unknown>[]) as DemoDealer[K];

  it('is deterministic: the same day gives the same network', () => {
    expect(generateDemoNetwork(TODAY)).toEqual(demo);
  });

  it('gives the same people and cars on another day, with the dates moved along', () => {
    const later = generateDemoNetwork('2025-11-23');
    const withoutDates = (n: DemoNetwork) =>
      n.dealers.map((d) => ({
        customers: d.customers.map(({ externalId, data: { birthDate: _b, ...rest } }) => ({ externalId, ...rest })),
        vehicles: d.vehicles.map((v) => [v.externalId, v.data.customerExternalId, v.data.brandId, v.data.model]),
      }));
    expect(withoutDates(later)).toEqual(withoutDates(demo));
    expect(later.dealers[0].vehicles[0].data.inspectionDueDate).not.toBe(demo.dealers[0].vehicles[0].data.inspectionDueDate);
  });

  it('has the network, three themed brands, four dealers in NL and DE and the demo logins', () => {
    expect(demo.name).toBe(DEMO_NETWORK_NAME);
    expect(demo.brands.length).toBeGreaterThanOrEqual(3);
    expect(new Set(demo.brands.map((b) => b.theme.primaryColor)).size).toBe(demo.brands.length);
    expect(new Set(demo.brands.map((b) => b.theme.fontFamily)).size).toBe(demo.brands.length);
    for (const brand of demo.brands) {
      const { logoUrl, ...theme } = brand.theme;
      expect(problems(ThemeDto, theme)).toEqual([]);
      expect(theme.secondaryColor && theme.footerHtml).toBeTruthy();
      expect(logoUrl).toMatch(/^data:image\/svg\+xml;base64,/);
      expect(Buffer.from(logoUrl!.split(',')[1], 'base64').toString()).toContain('<svg');
    }
    expect(demo.dealers).toHaveLength(4);
    expect(demo.dealers.map((d) => [d.address.country, d.timezone, d.locale])).toEqual([
      ['NL', 'Europe/Amsterdam', 'nl'],
      ['NL', 'Europe/Amsterdam', 'nl'],
      ['DE', 'Europe/Berlin', 'de'],
      ['DE', 'Europe/Berlin', 'de'],
    ]);
    expect(new Set(demo.dealers.map((d) => [...d.brandKeys].sort().join())).size).toBe(4);
    for (const dealer of demo.dealers) {
      const { customers: _c, vehicles: _v, consents: _k, appointments: _a, brandKeys, ...fields } = dealer;
      expect(problems(CreateDealerDto, { ...fields, brandIds: brandKeys.map(() => '00000000-0000-4000-8000-000000000000') })).toEqual([]);
    }
    // Every brand is sold by at least three dealers, so brand reports have figures to show.
    for (const brand of demo.brands) expect(demo.dealers.filter((d) => d.brandKeys.includes(brand.key)).length).toBeGreaterThanOrEqual(3);
    for (const login of DEMO_LOGINS) expect(demo.users).toContainEqual(expect.objectContaining(login));
    expect(demo.users.find((u) => u.role === 'dealer-admin')!.dealerKey).toBe(demo.dealers[0].key);
    expect(demo.users.some((u) => u.role === 'dealer-user')).toBe(true);
    expect(demo.users.find((u) => u.role === 'brand-admin')!.brandKeys!.length).toBeGreaterThanOrEqual(1);
  });

  it('has about a thousand customers, each valid as the API would take them', () => {
    const customers = all('customers');
    expect(customers.length).toBeGreaterThanOrEqual(950);
    expect(customers.length).toBeLessThanOrEqual(1050);
    for (const c of customers) expect([c.externalId, problems(CustomerDto, c.data)]).toEqual([c.externalId, []]);
    for (const dealer of demo.dealers) {
      expect(new Set(dealer.customers.map((c) => c.externalId)).size).toBe(dealer.customers.length);
      const emails = dealer.customers.map((c) => c.data.email).filter(Boolean);
      expect(new Set(emails).size).toBe(emails.length);
    }
  });

  it('writes addresses, phones and emails the way each country does, on domains that reach nobody', () => {
    for (const dealer of demo.dealers) {
      const country = dealer.address.country;
      const postal = country === 'NL' ? /^[1-9]\d{3} (?!SA|SD|SS)[A-Z]{2}$/ : /^\d{5}$/;
      const dial = country === 'NL' ? '+31' : '+49';
      expect(dealer.address.postalCode).toMatch(postal);
      expect(dealer.phone).toMatch(E164_PATTERN);
      for (const { data: c } of dealer.customers) {
        expect(c.address!.country).toBe(country);
        expect(c.address!.postalCode).toMatch(postal);
        for (const phone of [c.phone, ...(c.contacts ?? []).map((p) => p.phone)].filter(Boolean)) {
          expect(phone).toMatch(E164_PATTERN);
          expect(phone!.startsWith(dial)).toBe(true);
        }
        for (const email of [c.email, ...(c.contacts ?? []).map((p) => p.email)].filter(Boolean)) {
          expect(email).toMatch(/@(example\.(com|net|org)|[a-z0-9-]+\.example)$/);
        }
      }
    }
  });

  it('has people with and without email (some reachable by letter only), birth dates and locales', () => {
    const persons = all('customers').filter((c) => c.data.kind === 'person').map((c) => c.data);
    expect(persons.filter((p) => p.email).length / persons.length).toBeGreaterThan(0.6);
    expect(persons.filter((p) => !p.email && !p.phone).length).toBeGreaterThan(30);
    expect(persons.filter((p) => p.birthDate).length / persons.length).toBeGreaterThan(0.9);
    for (const p of persons.filter((p) => p.birthDate)) {
      expect(p.birthDate! < addDays(TODAY, -18 * 365)).toBe(true);
      expect(p.birthDate! > addDays(TODAY, -90 * 365)).toBe(true);
    }
    expect(new Set(persons.map((p) => p.locale))).toEqual(new Set(['nl', 'de', 'en']));
  });

  it('has fleets (companies with a fleet manager) of 3 to 10 cars and people with 1 or 2', () => {
    for (const dealer of demo.dealers) {
      const owned = new Map<string, number>();
      for (const v of dealer.vehicles) owned.set(v.data.customerExternalId, (owned.get(v.data.customerExternalId) ?? 0) + 1);
      const fleets = dealer.customers.filter((c) => c.data.kind === 'company');
      expect(fleets.length).toBeGreaterThanOrEqual(5);
      for (const fleet of fleets) {
        expect(fleet.data.companyName).toBeTruthy();
        expect(fleet.data.contacts).toContainEqual(expect.objectContaining({ role: 'fleet manager' }));
        expect(owned.get(fleet.externalId)).toBeGreaterThanOrEqual(3);
        expect(owned.get(fleet.externalId)).toBeLessThanOrEqual(10);
      }
      for (const person of dealer.customers.filter((c) => c.data.kind === 'person')) {
        expect([1, 2]).toContain(owned.get(person.externalId));
      }
    }
  });

  it('has valid cars of the dealer’s brands: plates per country, VINs with check digit, dates that fit', () => {
    const vins = new Set<string>();
    const plates = new Set<string>();
    for (const dealer of demo.dealers) {
      const nl = dealer.address.country === 'NL';
      for (const { externalId, data: v } of dealer.vehicles) {
        expect([externalId, problems(VehicleDto, v)]).toEqual([externalId, []]);
        expect(dealer.brandKeys).toContain(v.brandId);
        expect(v.vin).toMatch(/^[A-HJ-NPR-Z0-9]{17}$/);
        expect(v.vin![8]).toBe(vinCheckDigit(v.vin!));
        vins.add(v.vin!);
        plates.add(v.licensePlate!.replace(/[\s-]/g, ''));
        if (nl) {
          expect(v.licensePlate).toMatch(/^[BDFGHJKLNPRSTVXZ\d]{1,3}-[BDFGHJKLNPRSTVXZ\d]{2,3}-[BDFGHJKLNPRSTVXZ\d]{1,2}$/);
          expect(v.licensePlate).toHaveLength(8);
        } else {
          expect(v.licensePlate).toMatch(/^[A-Z]{1,3}-[A-Z]{1,2} [1-9]\d{0,3}E?$/);
        }
        expect(v.registrationDate! < TODAY).toBe(true);
        expect(v.inspectionDueDate! > TODAY && v.inspectionDueDate! <= addDays(TODAY, 365)).toBe(true);
        // The inspection falls on an anniversary of the first registration.
        const anniversary = v.inspectionDueDate!.slice(5);
        expect(anniversary === '02-29' ? ['02-28', '02-29'] : [anniversary]).toContain(v.registrationDate!.slice(5));
        expect(v.warrantyEndDate! > v.registrationDate!).toBe(true);
        expect(v.nextServiceDate).toBeTruthy();
        expect(v.mileageKm).toBeGreaterThan(0);
      }
    }
    const vehicles = all('vehicles');
    expect(vins.size).toBe(vehicles.length);
    expect(plates.size).toBe(vehicles.length);
  });

  it('spreads inspection due dates over the coming year, and has warranties expiring in the coming months', () => {
    const vehicles = all('vehicles').map((v) => v.data);
    expect(new Set(vehicles.map((v) => v.inspectionDueDate!.slice(0, 7))).size).toBeGreaterThanOrEqual(12);
    for (const dealer of demo.dealers) {
      const soon = dealer.vehicles.filter((v) => v.data.warrantyEndDate! > TODAY && v.data.warrantyEndDate! <= addDays(TODAY, 183));
      expect(soon.length).toBeGreaterThanOrEqual(5);
    }
    expect(vehicles.some((v) => v.nextServiceDate! < TODAY)).toBe(true);
  });

  it('has a consent ledger with service consent, marketing opt-ins, later withdrawals and statements per vehicle', () => {
    for (const dealer of demo.dealers) {
      const vehicleOwner = new Map(dealer.vehicles.map((v) => [v.externalId, v.data.customerExternalId]));
      const customerIds = new Set(dealer.customers.map((c) => c.externalId));
      for (const { externalId, data } of dealer.consents) {
        const { customerExternalId, ...statement } = data;
        expect(externalId).toBe(customerExternalId);
        expect(customerIds.has(customerExternalId)).toBe(true);
        expect(problems(ConsentDto, statement)).toEqual([]);
        // The ledger refuses statements dated in the future.
        expect(data.at! < `${TODAY}T00:00:00.000Z`).toBe(true);
        if (data.vehicleExternalId) expect(vehicleOwner.get(data.vehicleExternalId)).toBe(customerExternalId);
      }
      const consents = dealer.consents.map((c) => c.data);
      expect(consents.filter((c) => c.purpose === 'service' && c.granted).length).toBeGreaterThan(dealer.customers.length * 0.8);
      expect(consents.some((c) => c.purpose === 'marketing' && c.granted)).toBe(true);
      expect(consents.some((c) => c.vehicleExternalId)).toBe(true);
      const withdrawals = consents.filter(
        (w) =>
          !w.granted &&
          consents.some(
            (g) => g.granted && g.customerExternalId === w.customerExternalId && g.channel === w.channel && g.purpose === w.purpose && g.at! < w.at!,
          ),
      );
      expect(withdrawals.length).toBeGreaterThan(3);
    }
    expect(all('consents').map((c) => c.data.source)).toEqual(expect.arrayContaining(['dms-import', 'preference-center']));
  });

  it('has a few appointments: booked in the coming weeks on working days, some done in the past', () => {
    for (const dealer of demo.dealers) {
      const vehicleIds = new Set(dealer.vehicles.map((v) => v.externalId));
      expect(dealer.appointments.length).toBeGreaterThan(10);
      expect(dealer.appointments.length).toBeLessThan(80);
      for (const { externalId, data } of dealer.appointments) {
        expect([externalId, problems(AppointmentDto, data)]).toEqual([externalId, []]);
        expect(vehicleIds.has(data.vehicleExternalId)).toBe(true);
        const day = new Date(data.startsAt);
        expect([0, 6]).not.toContain(day.getUTCDay());
        if (data.status === 'done') expect(data.startsAt < TODAY).toBe(true);
        else expect(data.startsAt > TODAY && data.startsAt < addDays(TODAY, 43)).toBe(true);
      }
      expect(dealer.appointments.some((a) => a.data.status === 'booked')).toBe(true);
      expect(dealer.appointments.some((a) => a.data.status === 'done')).toBe(true);
    }
  });
});
