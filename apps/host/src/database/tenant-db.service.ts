import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/**
 * The only way into a data room: a transaction in which the dealer is set for row-level
 * security. Outside it, data-room tables show no rows at all.
 */
@Injectable()
export class TenantDb {
  constructor(private readonly dataSource: DataSource) {}

  async run<T>(dealerId: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT set_config('forecourt.dealer_id', $1, true)`, [dealerId]);
      return work(manager);
    });
  }
}
