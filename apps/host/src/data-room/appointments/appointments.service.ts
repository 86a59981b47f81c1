import { Injectable, NotFoundException } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Principal } from '../../auth/principal';
import { PageQuery, pageOf } from '../../common/pagination';
import { DataRoomAccess } from '../data-room.access';
import { AppointmentDto } from './appointment.dto';
import { upsertAppointments } from './appointments.writer';

const VIEW = `
  SELECT a.id, a.external_id AS "externalId", v.external_id AS "vehicleExternalId", c.external_id AS "customerExternalId",
         a.type, a.starts_at AS "startsAt", a.status, a.created_at AS "createdAt", a.updated_at AS "updatedAt"
    FROM appointments a JOIN vehicles v ON v.id = a.vehicle_id JOIN customers c ON c.id = a.customer_id`;

@Injectable()
export class AppointmentsService {
  constructor(private readonly dataRoom: DataRoomAccess) {}

  upsert(principal: Principal, dealerId: string, externalId: string, dto: AppointmentDto) {
    return this.dataRoom.run(principal, dealerId, 'update', async (m) => {
      const written = await this.dataRoom.writeOne(m, dealerId, upsertAppointments, externalId, dto);
      return { created: written.outcome === 'created', appointment: await this.find(m, externalId) };
    });
  }

  list(principal: Principal, dealerId: string, query: PageQuery) {
    return this.dataRoom.run(principal, dealerId, 'read', async (m) => {
      const rows = await m.query(`SELECT *, count(*) OVER () AS total FROM (${VIEW}) a ORDER BY "startsAt" DESC LIMIT $1 OFFSET $2`, [
        query.pageSize,
        (query.page - 1) * query.pageSize,
      ]);
      return pageOf(rows.map(({ total: _t, ...row }: Record<string, unknown>) => row), Number(rows[0]?.total ?? 0), query);
    });
  }

  get(principal: Principal, dealerId: string, externalId: string) {
    return this.dataRoom.run(principal, dealerId, 'read', (m) => this.find(m, externalId));
  }

  private async find(m: EntityManager, externalId: string) {
    const [row] = await m.query(`${VIEW} WHERE a.external_id = $1`, [externalId]);
    if (!row) throw new NotFoundException('appointment not found');
    return row;
  }
}
