import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { FORECOURT_CONFIG, ForecourtConfig } from '../config/forecourt-config';
import { UsersService } from '../network/users/users.service';

/** What boot adds to a database: the first network admin, and the demo network on an empty one. */
@Injectable()
export class SeedService {
  private readonly logger = new Logger('Seed');

  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    @Inject(FORECOURT_CONFIG) private readonly config: ForecourtConfig,
  ) {}

  async onBoot(): Promise<void> {
    if (this.config.adminEmail && this.config.adminPassword && !(await this.users.exists(this.config.adminEmail))) {
      await this.users.createUser({ email: this.config.adminEmail, password: this.config.adminPassword, role: 'network-admin' });
      this.logger.log(`created network admin ${this.config.adminEmail}`);
    }
  }
}
