import { Injectable, NotFoundException } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Principal } from '../../auth/principal';
import { PageQuery, pageOf } from '../../common/pagination';
import { DataRoomAccess } from '../data-room.access';
import { VehicleDto } from './vehicle.dto';
import { upsertVehicles } from './vehicles.writer';

const VIEW = `
  SELECT v.id, v.external_id AS "externalId", c.external_id AS "customerExternalId", v.brand_id AS "brandId", v.model,
         v.license_plate AS "licensePlate", v.vin, v.registration_date AS "registrationDate",
         v.inspection_due_date AS "inspectionDueDate", v.next_service_date AS "nextServiceDate", v.mileage_km AS "mileageKm",
         v.warranty_end_date AS "warrantyEndDate", v.created_at AS "createdAt", v.updated_at AS "updatedAt"
    FROM vehicles v JOIN customers c ON c.id = v.customer_id`;

/** Drops nulls so a vehicle comes back in the shape it was written in. */
function compact<T extends Record<string, unknown>>(row: T): T {
  return Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null)) as T;
}

@Injectable()
export class VehiclesService {
  constructor(private readonly dataRoom: DataRoomAccess) {}

  upsert(principal: Principal, dealerId: string, externalId: string, dto: VehicleDto) {
    return this.dataRoom.run(principal, dealerId, 'update', async (m) => {
      const written = await this.dataRoom.writeOne(m, dealerId, upsertVehicles, externalId, dto);
      return { created: written.outcome === 'created', vehicle: await this.find(m, externalId) };
    });
  }

  list(principal: Principal, dealerId: string, query: PageQuery & { customerExternalId?: string }) {
    return this.dataRoom.run(principal, dealerId, 'read', async (m) => {
      const where = query.customerExternalId ? 'WHERE c.external_id = $3' : '';
      const params: unknown[] = [query.pageSize, (query.page - 1) * query.pageSize];
      if (query.customerExternalId) params.push(query.customerExternalId);
      const rows = await m.query(
        `SELECT *, count(*) OVER () AS total FROM (${VIEW} ${where}) v ORDER BY "externalId" LIMIT $1 OFFSET $2`,
        params,
      );
      const total = Number(rows[0]?.total ?? 0);
      return pageOf(rows.map(({ total: _t, ...row }: Record<string, unknown>) => compact(row)), total, query);
    });
  }

  get(principal: Principal, dealerId: string, externalId: string) {
    return this.dataRoom.run(principal, dealerId, 'read', (m) => this.find(m, externalId));
  }

  async find(m: EntityManager, externalId: string) {
    const [row] = await m.query(`${VIEW} WHERE v.external_id = $1`, [externalId]);
    if (!row) throw new NotFoundException('vehicle not found');
    return compact(row);
  }
}
