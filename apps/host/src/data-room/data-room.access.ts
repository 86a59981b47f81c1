import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AccessPolicy } from '../auth/access.policy';
import { Action } from '../auth/ability.factory';
import { Principal } from '../auth/principal';
import { ValidationProblem } from '../common/problem';
import { TenantDb } from '../database/tenant-db.service';
import { RecordWriter, WrittenRow } from './record-writer';

/**
 * The door to a dealer's data room: CASL at the edge, then a transaction with the dealer set
 * for row-level security, so the database checks the same wall again.
 */
@Injectable()
export class DataRoomAccess {
  constructor(
    private readonly access: AccessPolicy,
    private readonly tenant: TenantDb,
  ) {}

  run<T>(principal: Principal, dealerId: string, action: Action, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    this.access.assertDataRoom(principal, dealerId, action);
    return this.tenant.run(dealerId, work);
  }

  /** One record through the same writer imports use; its row errors become a 400 naming the field. */
  async writeOne<T>(manager: EntityManager, dealerId: string, writer: RecordWriter<T>, externalId: string, data: T): Promise<WrittenRow> {
    const { written, errors } = await writer(manager, dealerId, [{ line: 0, externalId, data }]);
    if (errors.length) throw new ValidationProblem(errors.map(({ field, message }) => ({ field, message })));
    return written[0];
  }
}
