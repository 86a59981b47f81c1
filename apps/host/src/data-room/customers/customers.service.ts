import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { Principal } from '../../auth/principal';
import { deriveKey, FORECOURT_CONFIG, ForecourtConfig } from '../../config/forecourt-config';
import { PageQuery, pageOf } from '../../common/pagination';
import { DataRoomAccess } from '../data-room.access';
import { CustomerDto } from './customer.dto';
import { Customer } from './customer.entity';
import { upsertCustomers } from './customers.writer';

export function customerView(c: Customer) {
  return {
    id: c.id,
    externalId: c.externalId,
    kind: c.kind,
    firstName: c.firstName ?? undefined,
    lastName: c.lastName ?? undefined,
    companyName: c.companyName ?? undefined,
    email: c.email ?? undefined,
    phone: c.phone ?? undefined,
    address: c.street || c.postalCode || c.city
      ? { street: c.street ?? undefined, postalCode: c.postalCode ?? undefined, city: c.city ?? undefined, country: c.country ?? undefined }
      : undefined,
    birthDate: c.birthDate ?? undefined,
    locale: c.locale ?? undefined,
    contacts: c.contacts,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

@Injectable()
export class CustomersService {
  private readonly pseudonymKey: Buffer;

  constructor(
    private readonly dataRoom: DataRoomAccess,
    private readonly audit: AuditService,
    @Inject(FORECOURT_CONFIG) config: ForecourtConfig,
  ) {
    this.pseudonymKey = deriveKey(config, 'audit-pseudonym');
  }

  upsert(principal: Principal, dealerId: string, externalId: string, dto: CustomerDto) {
    return this.dataRoom.run(principal, dealerId, 'update', async (m) => {
      const written = await this.dataRoom.writeOne(m, dealerId, upsertCustomers, externalId, dto);
      return { created: written.outcome === 'created', customer: customerView(await this.find(m, externalId)) };
    });
  }

  list(principal: Principal, dealerId: string, query: PageQuery & { q?: string }) {
    return this.dataRoom.run(principal, dealerId, 'read', async (m) => {
      const qb = m.getRepository(Customer).createQueryBuilder('c').orderBy('c.external_id');
      if (query.q) {
        qb.where(
          `(c.external_id ILIKE :q OR c.email ILIKE :q OR c.last_name ILIKE :q OR c.first_name ILIKE :q
            OR c.company_name ILIKE :q OR c.postal_code ILIKE :q)`,
          { q: `%${query.q.replace(/[%_\\]/g, (ch) => `\\${ch}`)}%` },
        );
      }
      const [items, total] = await qb.skip((query.page - 1) * query.pageSize).take(query.pageSize).getManyAndCount();
      return pageOf(items.map(customerView), total, query);
    });
  }

  get(principal: Principal, dealerId: string, externalId: string) {
    return this.dataRoom.run(principal, dealerId, 'read', async (m) => customerView(await this.find(m, externalId)));
  }

  /**
   * Erasure (GDPR art. 17): the customer and everything that hangs off them go. The audit log
   * keeps that it happened, who did it and a keyed pseudonym of the record, not the record.
   */
  erase(principal: Principal, dealerId: string, externalId: string) {
    return this.dataRoom.run(principal, dealerId, 'delete', async (m) => {
      const customer = await this.find(m, externalId);
      const [counts] = await m.query(
        `SELECT (SELECT count(*) FROM vehicles WHERE customer_id = $1)::int AS vehicles,
                (SELECT count(*) FROM consents WHERE customer_id = $1)::int AS consents,
                (SELECT count(*) FROM appointments WHERE customer_id = $1)::int AS appointments,
                (SELECT count(*) FROM events WHERE customer_id = $1)::int AS events`,
        [customer.id],
      );
      await m.query('DELETE FROM customers WHERE id = $1', [customer.id]);
      const pseudonym = createHmac('sha256', this.pseudonymKey).update(`${dealerId}:${externalId}`).digest('hex').slice(0, 32);
      await this.audit.record(
        principal,
        { action: 'customer.erase', entityType: 'Customer', entityId: `pseudonym:${pseudonym}`, dealerId, details: { erased: counts } },
        m,
      );
    });
  }

  async find(m: EntityManager, externalId: string): Promise<Customer> {
    const customer = await m.getRepository(Customer).findOneBy({ externalId });
    if (!customer) throw new NotFoundException('customer not found');
    return customer;
  }
}
