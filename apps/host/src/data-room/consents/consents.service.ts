import { Injectable } from '@nestjs/common';
import { Principal } from '../../auth/principal';
import { CustomersService } from '../customers/customers.service';
import { DataRoomAccess } from '../data-room.access';
import { ConsentDto } from './consent.dto';
import { effectivePermissions, LedgerEntry } from './consent-ledger';
import { appendConsents } from './consents.writer';

@Injectable()
export class ConsentsService {
  constructor(
    private readonly dataRoom: DataRoomAccess,
    private readonly customers: CustomersService,
  ) {}

  record(principal: Principal, dealerId: string, customerExternalId: string, dto: ConsentDto) {
    return this.dataRoom.run(principal, dealerId, 'create', async (m) => {
      await this.customers.find(m, customerExternalId);
      const written = await this.dataRoom.writeOne(m, dealerId, appendConsents, customerExternalId, { ...dto, customerExternalId });
      return { id: written.id || undefined, recorded: written.outcome === 'created', customerExternalId, ...dto };
    });
  }

  /** The effective permission per channel × purpose (and per vehicle where the ledger names one), and the history it rests on. */
  ledger(principal: Principal, dealerId: string, customerExternalId: string) {
    return this.dataRoom.run(principal, dealerId, 'read', async (m) => {
      const customer = await this.customers.find(m, customerExternalId);
      const rows: (LedgerEntry & { id: string; vehicleExternalId: string | null; noticeVersion: string | null })[] = await m.query(
        `SELECT e.id, e.channel, e.purpose, e.vehicle_id AS "vehicleId", v.external_id AS "vehicleExternalId", e.granted,
                e.source, e.acted_at AS "actedAt", e.recorded_at AS "recordedAt", e.notice_version AS "noticeVersion"
           FROM consents e LEFT JOIN vehicles v ON v.id = e.vehicle_id
          WHERE e.customer_id = $1 ORDER BY e.acted_at, e.recorded_at`,
        [customer.id],
      );
      const plateOf = new Map(rows.map((r) => [r.vehicleId, r.vehicleExternalId]));
      return {
        effective: effectivePermissions(rows).map((d) => ({
          channel: d.channel,
          purpose: d.purpose,
          ...(d.vehicleId ? { vehicleExternalId: plateOf.get(d.vehicleId) } : {}),
          granted: d.granted,
          basis: d.basis,
          ...(d.entry ? { source: d.entry.source, at: d.entry.actedAt } : {}),
        })),
        history: rows.map((r) => ({
          id: r.id,
          channel: r.channel,
          purpose: r.purpose,
          ...(r.vehicleExternalId ? { vehicleExternalId: r.vehicleExternalId } : {}),
          granted: r.granted,
          source: r.source,
          at: r.actedAt,
          recordedAt: r.recordedAt,
          ...(r.noticeVersion ? { noticeVersion: r.noticeVersion } : {}),
        })),
      };
    });
  }
}
