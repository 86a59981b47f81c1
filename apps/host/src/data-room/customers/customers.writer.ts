import { PendingRow, RecordWriter, RowError, idsByExternalId, outcomes } from '../record-writer';
import { CustomerDto } from './customer.dto';

const COLUMNS = [
  'kind', 'first_name', 'last_name', 'company_name', 'email', 'phone', 'street', 'postal_code', 'city', 'country',
  'birth_date', 'locale', 'contacts',
] as const;
const TYPES = ['text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'date', 'text', 'jsonb'];

function rules(row: PendingRow<CustomerDto>): RowError | undefined {
  const d = row.data;
  if (d.kind === 'company' && !d.companyName) return { line: row.line, field: 'companyName', message: 'is required for a company' };
  if (d.kind === 'person' && !d.lastName && !d.firstName) {
    return { line: row.line, field: 'lastName', message: 'a person needs a first or last name' };
  }
  return undefined;
}

function values(d: CustomerDto): unknown[] {
  return [
    d.kind, d.firstName ?? null, d.lastName ?? null, d.companyName ?? null, d.email?.toLowerCase() ?? null, d.phone ?? null,
    d.address?.street ?? null, d.address?.postalCode ?? null, d.address?.city ?? null, d.address?.country ?? null,
    d.birthDate ?? null, d.locale ?? null, JSON.stringify(d.contacts ?? []),
  ];
}

/** PUT semantics: the row replaces every field; an update that changes nothing is `unchanged`. */
export const upsertCustomers: RecordWriter<CustomerDto> = async (manager, dealerId, rows) => {
  const errors: RowError[] = [];
  const valid = rows.filter((row) => {
    const error = rules(row);
    if (error) errors.push(error);
    return !error;
  });
  if (!valid.length) return { written: [], errors };
  const existing = await idsByExternalId(manager, 'customers', valid.map((r) => r.externalId));
  const columns = COLUMNS.map((_, i) => valid.map((r) => values(r.data)[i]));
  const returned = await manager.query(
    `INSERT INTO customers (dealer_id, external_id, ${COLUMNS.join(', ')})
     SELECT $1, * FROM unnest($2::text[], ${COLUMNS.map((_, i) => `$${i + 3}::${TYPES[i]}[]`).join(', ')})
     ON CONFLICT (dealer_id, external_id) DO UPDATE SET
       ${COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}, updated_at = now()
       WHERE (${COLUMNS.map((c) => `customers.${c}`).join(', ')}) IS DISTINCT FROM (${COLUMNS.map((c) => `excluded.${c}`).join(', ')})
     RETURNING id, external_id, (xmax = 0) AS inserted`,
    [dealerId, valid.map((r) => r.externalId), ...columns],
  );
  return { written: outcomes(valid, returned, existing), errors };
};
