import { isUuid } from '../../common/id.pipe';
import { PendingRow, RecordWriter, RowError, idsByExternalId, outcomes } from '../record-writer';
import { VehicleDto } from './vehicle.dto';

const COLUMNS = [
  'customer_id', 'brand_id', 'model', 'license_plate', 'vin', 'registration_date', 'inspection_due_date',
  'next_service_date', 'mileage_km', 'warranty_end_date',
] as const;
const TYPES = ['uuid', 'uuid', 'text', 'text', 'text', 'date', 'date', 'date', 'int', 'date'];

/** Licence plates are compared without spaces or dashes and in capitals: "gx-123-b" is "GX123B". */
export function normalisePlate(plate: string): string {
  return plate.replace(/[\s-]/g, '').toUpperCase();
}

export const upsertVehicles: RecordWriter<VehicleDto> = async (manager, dealerId, rows) => {
  const errors: RowError[] = [];
  const customers = await idsByExternalId(manager, 'customers', rows.map((r) => r.data.customerExternalId));
  const brands: { id: string; key: string }[] = await manager.query('SELECT id, key FROM brands');
  const brandOf = (ref: string) => brands.find((b) => (isUuid(ref) ? b.id === ref.toLowerCase() : b.key === ref))?.id;
  const valid: (PendingRow<VehicleDto> & { customerId: string; brandId: string })[] = [];
  for (const row of rows) {
    const customer = customers.get(row.data.customerExternalId);
    const brandId = brandOf(row.data.brandId);
    if (!customer) errors.push({ line: row.line, field: 'customerExternalId', message: `no customer "${row.data.customerExternalId}"` });
    else if (!brandId) errors.push({ line: row.line, field: 'brandId', message: `no brand "${row.data.brandId}"` });
    else valid.push({ ...row, customerId: customer.id, brandId });
  }
  if (!valid.length) return { written: [], errors };
  const existing = await idsByExternalId(manager, 'vehicles', valid.map((r) => r.externalId));
  const values = (r: (typeof valid)[number]) => {
    const d = r.data;
    return [
      r.customerId, r.brandId, d.model ?? null, d.licensePlate ? normalisePlate(d.licensePlate) : null, d.vin?.toUpperCase() ?? null,
      d.registrationDate ?? null, d.inspectionDueDate ?? null, d.nextServiceDate ?? null, d.mileageKm ?? null, d.warrantyEndDate ?? null,
    ];
  };
  const columns = COLUMNS.map((_, i) => valid.map((r) => values(r)[i]));
  const returned = await manager.query(
    `INSERT INTO vehicles (dealer_id, external_id, ${COLUMNS.join(', ')})
     SELECT $1, * FROM unnest($2::text[], ${COLUMNS.map((_, i) => `$${i + 3}::${TYPES[i]}[]`).join(', ')})
     ON CONFLICT (dealer_id, external_id) DO UPDATE SET
       ${COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}, updated_at = now()
       WHERE (${COLUMNS.map((c) => `vehicles.${c}`).join(', ')}) IS DISTINCT FROM (${COLUMNS.map((c) => `excluded.${c}`).join(', ')})
     RETURNING id, external_id, (xmax = 0) AS inserted`,
    [dealerId, valid.map((r) => r.externalId), ...columns],
  );
  return { written: outcomes(valid, returned, existing), errors };
};
