import { PendingRow, RecordWriter, RowError, idsByExternalId, outcomes } from '../record-writer';
import { AppointmentDto } from './appointment.dto';

export const upsertAppointments: RecordWriter<AppointmentDto> = async (manager, dealerId, rows) => {
  const errors: RowError[] = [];
  const vehicles = await idsByExternalId(manager, 'vehicles', rows.map((r) => r.data.vehicleExternalId));
  const valid: (PendingRow<AppointmentDto> & { vehicleId: string; customerId: string })[] = [];
  for (const row of rows) {
    const vehicle = vehicles.get(row.data.vehicleExternalId);
    if (!vehicle) errors.push({ line: row.line, field: 'vehicleExternalId', message: `no vehicle "${row.data.vehicleExternalId}"` });
    else valid.push({ ...row, vehicleId: vehicle.id, customerId: vehicle.customer_id! });
  }
  if (!valid.length) return { written: [], errors };
  const existing = await idsByExternalId(manager, 'appointments', valid.map((r) => r.externalId));
  const returned = await manager.query(
    `INSERT INTO appointments (dealer_id, external_id, customer_id, vehicle_id, type, starts_at, status)
     SELECT $1, * FROM unnest($2::text[], $3::uuid[], $4::uuid[], $5::text[], $6::timestamptz[], $7::text[])
     ON CONFLICT (dealer_id, external_id) DO UPDATE SET
       customer_id = excluded.customer_id, vehicle_id = excluded.vehicle_id, type = excluded.type,
       starts_at = excluded.starts_at, status = excluded.status, updated_at = now()
       WHERE (appointments.customer_id, appointments.vehicle_id, appointments.type, appointments.starts_at, appointments.status)
         IS DISTINCT FROM (excluded.customer_id, excluded.vehicle_id, excluded.type, excluded.starts_at, excluded.status)
     RETURNING id, external_id, (xmax = 0) AS inserted`,
    [
      dealerId,
      valid.map((r) => r.externalId),
      valid.map((r) => r.customerId),
      valid.map((r) => r.vehicleId),
      valid.map((r) => r.data.type),
      valid.map((r) => r.data.startsAt),
      valid.map((r) => r.data.status),
    ],
  );
  return { written: outcomes(valid, returned, existing), errors };
};
