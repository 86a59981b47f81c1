import { Injectable } from '@nestjs/common';
import { Principal } from '../../auth/principal';
import { fieldError } from '../../common/problem';
import { CustomersService } from '../customers/customers.service';
import { DataRoomAccess } from '../data-room.access';
import { EventDto } from './event.dto';

@Injectable()
export class EventsService {
  constructor(
    private readonly dataRoom: DataRoomAccess,
    private readonly customers: CustomersService,
  ) {}

  /** Appends an event; one sent again with the same externalId is not counted twice. */
  record(principal: Principal, dealerId: string, dto: EventDto) {
    return this.dataRoom.run(principal, dealerId, 'create', async (m) => {
      const customer = await this.customers.find(m, dto.customerExternalId).catch(() => undefined);
      if (!customer) {
        throw fieldError('customerExternalId', `no customer "${dto.customerExternalId}"`);
      }
      const [row] = await m.query(
        `INSERT INTO events (dealer_id, customer_id, external_id, type, at, properties)
         VALUES ($1, $2, $3, $4, coalesce($5::timestamptz, now()), $6)
         ON CONFLICT (dealer_id, external_id) WHERE external_id IS NOT NULL DO UPDATE SET external_id = excluded.external_id
         RETURNING id, at, (xmax = 0) AS inserted`,
        [dealerId, customer.id, dto.externalId ?? null, dto.type, dto.at ?? null, JSON.stringify(dto.properties ?? {})],
      );
      return { created: row.inserted as boolean, event: { id: row.id, ...dto, at: row.at } };
    });
  }
}
