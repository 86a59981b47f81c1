import type { CustomerSnapshot, Prefilter } from '@forecourt/sdk';
import { addDays } from '@forecourt/sdk';
import { EntityManager } from 'typeorm';
import { arrayLiteral } from '../../common/pg-array';
import { FactsCache, inTurn, loadCustomersWithVehicles } from './journey-facts';

const VEHICLE_COLUMNS: Record<string, string> = {
  'vehicle.inspectionDueDate': 'inspection_due_date',
  'vehicle.nextServiceDate': 'next_service_date',
  'vehicle.warrantyEndDate': 'warranty_end_date',
  'vehicle.registrationDate': 'registration_date',
};

/** Month-day strings (MM-DD) of every day in a range, for yearly dates; 29 February rides along with 28 February. */
function monthDays(from: string, to: string): string[] {
  const out = new Set<string>();
  for (let day = from; day <= to; day = addDays(day, 1)) {
    out.add(day.slice(5));
    if (day.slice(5) === '02-28' && addDays(day, 1).slice(5) !== '02-29') out.add('02-29');
  }
  return [...out];
}

/**
 * The ids of the customers a trigger can possibly find occasions for, straight from SQL, so
 * a daily run reads only the few vehicles that fall due instead of the whole data room.
 * Without prefilters: every customer.
 */
export async function candidateCustomerIds(m: EntityManager, asOf: string, timeZone: string, filters: Prefilter[] | undefined): Promise<string[]> {
  if (!filters) return (await m.query('SELECT id FROM customers ORDER BY id')).map((r: { id: string }) => r.id);
  const ids = new Set<string>();
  for (const f of filters) {
    const from = addDays(asOf, f.fromDays);
    const to = addDays(asOf, f.toDays);
    let rows: { id: string }[];
    if (VEHICLE_COLUMNS[f.field]) {
      rows = await m.query(`SELECT DISTINCT customer_id AS id FROM vehicles WHERE ${VEHICLE_COLUMNS[f.field]} BETWEEN $1 AND $2`, [from, to]);
    } else if (f.field === 'customer.birthDate') {
      rows = await m.query(`SELECT id FROM customers WHERE to_char(birth_date, 'MM-DD') = ANY($1::text[])`, [monthDays(from, to)]);
    } else if (f.field === 'customer.createdOn') {
      rows = await m.query(`SELECT id FROM customers WHERE (created_at AT TIME ZONE $3)::date BETWEEN $1 AND $2`, [from, to, timeZone]);
    } else if (f.field === 'appointment.startsOn') {
      rows = await m.query(`SELECT DISTINCT customer_id AS id FROM appointments WHERE (starts_at AT TIME ZONE $3)::date BETWEEN $1 AND $2`, [from, to, timeZone]);
    } else {
      rows = await m.query(`SELECT DISTINCT customer_id AS id FROM events WHERE (at AT TIME ZONE $3)::date BETWEEN $1 AND $2`, [from, to, timeZone]);
    }
    rows.forEach((r) => ids.add(r.id));
  }
  return [...ids].sort();
}

/**
 * What triggers see of a batch of customers (CustomerSnapshot), days in the dealer's time zone.
 * The customers and vehicles read here also go into `cache` for the day's facts.
 */
export async function loadSnapshots(m: EntityManager, customerIds: string[], asOf: string, timeZone: string, cache?: FactsCache): Promise<CustomerSnapshot[]> {
  const { customers, vehicles } = await loadCustomersWithVehicles(m, customerIds, timeZone);
  const ids = arrayLiteral(customerIds);
  const [appointments, events] = await inTurn([
    () =>
      m.query(
        `SELECT customer_id, vehicle_id, type, (starts_at AT TIME ZONE $2)::date::text AS starts_on, status
           FROM appointments WHERE customer_id = ANY($1::uuid[])`,
        [ids, timeZone],
      ),
    () =>
      m.query(
        `SELECT customer_id, type, (at AT TIME ZONE $2)::date::text AS on_day, properties FROM events
          WHERE customer_id = ANY($1::uuid[]) AND at >= ($3::date - 400)`,
        [ids, timeZone, asOf],
      ),
  ]);

  const byCustomer = new Map<string, CustomerSnapshot>();
  for (const { birthDate, createdOn, ...facts } of customers) {
    cache?.customers.set(facts.id, facts);
    byCustomer.set(facts.id, {
      customerId: facts.id,
      kind: facts.kind,
      birthDate: birthDate ?? undefined,
      createdOn,
      vehicles: [],
      appointments: [],
      events: [],
    });
  }
  for (const { customerId, registrationDate, ...facts } of vehicles) {
    cache?.vehicles.set(facts.id, facts);
    byCustomer.get(customerId)?.vehicles.push({
      vehicleId: facts.id,
      brandId: facts.brandId,
      inspectionDueDate: facts.inspectionDueDate ?? undefined,
      nextServiceDate: facts.nextServiceDate ?? undefined,
      registrationDate: registrationDate ?? undefined,
      mileageKm: facts.mileageKm ?? undefined,
      warrantyEndDate: facts.warrantyEndDate ?? undefined,
    });
  }
  for (const a of appointments) {
    byCustomer.get(a.customer_id)?.appointments.push({ vehicleId: a.vehicle_id, type: a.type, startsOn: a.starts_on, status: a.status });
  }
  for (const e of events) byCustomer.get(e.customer_id)?.events.push({ type: e.type, on: e.on_day, properties: e.properties });
  return [...byCustomer.values()];
}
