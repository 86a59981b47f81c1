import { InsertedConsent, recordConsentEvents } from '../../webhooks/consent-events';
import { PendingRow, RecordWriter, RowError, idsByExternalId } from '../record-writer';
import { ConsentDto } from './consent.dto';

export type ConsentRow = ConsentDto & { customerExternalId: string };

/** How far ahead of our clock a statement's time may be (the sender's clock may run a little fast). */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

const statementKey = (customerId: string, vehicleId: string | null, d: ConsentDto, at: string) =>
  [customerId, vehicleId ?? '', d.channel, d.purpose, new Date(at).toISOString(), d.granted, d.source].join('|');

/**
 * Appends to the ledger. The same statement recorded twice (a re-import) stays one entry and is
 * reported as unchanged; `externalId` of a row is its customer's.
 */
export const appendConsents: RecordWriter<ConsentRow> = async (manager, dealerId, rows) => {
  const errors: RowError[] = [];
  const customers = await idsByExternalId(manager, 'customers', rows.map((r) => r.data.customerExternalId));
  const vehicles = await idsByExternalId(
    manager,
    'vehicles',
    rows.map((r) => r.data.vehicleExternalId).filter((v): v is string => !!v),
  );
  const now = Date.now();
  const valid: (PendingRow<ConsentRow> & { customerId: string; vehicleId: string | null; at: string })[] = [];
  for (const row of rows) {
    const customer = customers.get(row.data.customerExternalId);
    const vehicle = row.data.vehicleExternalId ? vehicles.get(row.data.vehicleExternalId) : undefined;
    // One instant for JavaScript and PostgreSQL alike: a bare date means midnight UTC, not the session's time zone.
    const at = new Date(row.data.at ?? now);
    if (Number.isNaN(at.getTime())) {
      errors.push({ line: row.line, field: 'at', message: 'must be an ISO-8601 instant' });
    } else if (at.getTime() > now + CLOCK_SKEW_MS) {
      // The latest statement wins, so one dated in the future would outvote every opt-out made until then.
      errors.push({ line: row.line, field: 'at', message: 'must not be in the future' });
    } else if (!customer) {
      errors.push({ line: row.line, field: 'customerExternalId', message: `no customer "${row.data.customerExternalId}"` });
    } else if (row.data.vehicleExternalId && (!vehicle || vehicle.customer_id !== customer.id)) {
      errors.push({ line: row.line, field: 'vehicleExternalId', message: `no vehicle "${row.data.vehicleExternalId}" of this customer` });
    } else {
      valid.push({ ...row, customerId: customer.id, vehicleId: vehicle?.id ?? null, at: at.toISOString() });
    }
  }
  if (!valid.length) return { written: [], errors };
  const inserted: InsertedConsent[] = await manager.query(
    `INSERT INTO consents (dealer_id, customer_id, vehicle_id, channel, purpose, granted, source, acted_at, notice_version)
     SELECT $1, * FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::bool[], $7::text[], $8::timestamptz[], $9::text[])
     ON CONFLICT DO NOTHING
     RETURNING id, customer_id, vehicle_id, channel, purpose, acted_at, granted, source`,
    [
      dealerId,
      valid.map((r) => r.customerId),
      valid.map((r) => r.vehicleId),
      valid.map((r) => r.data.channel),
      valid.map((r) => r.data.purpose),
      valid.map((r) => r.data.granted),
      valid.map((r) => r.data.source),
      valid.map((r) => r.at),
      valid.map((r) => r.data.noticeVersion ?? null),
    ],
  );
  // Only statements new to the ledger are changes; in this transaction, so a change never lacks its event.
  await recordConsentEvents(manager, dealerId, inserted);
  const created = new Map(
    inserted.map((e) => [
      [e.customer_id, e.vehicle_id ?? '', e.channel, e.purpose, new Date(e.acted_at).toISOString(), e.granted, e.source].join('|'),
      e.id,
    ]),
  );
  return {
    written: valid.map((row) => {
      const id = created.get(statementKey(row.customerId, row.vehicleId, row.data, row.at));
      return { line: row.line, externalId: row.externalId, id: id ?? '', outcome: id ? 'created' : 'unchanged' };
    }),
    errors,
  };
};
