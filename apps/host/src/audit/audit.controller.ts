import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AccessPolicy } from '../auth/access.policy';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { PageQuery, pageOf } from '../common/pagination';
import { AuditService } from './audit.service';

@ApiTags('audit log')
@ApiBearerAuth()
@Controller('api/audit-log')
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly access: AccessPolicy,
  ) {}

  /** Network admins read everything; a dealer admin reads its own dealer's entries. */
  @Get()
  async list(@CurrentPrincipal() principal: Principal, @Query() query: PageQuery) {
    this.access.assert(principal, 'read', 'AuditLog');
    const dealerId = this.access.can(principal, 'read', 'AuditLog', { dealerId: '__any__' }) ? undefined : principal.dealerId;
    const { rows, total } = await this.audit.list({ dealerId, limit: query.pageSize, offset: (query.page - 1) * query.pageSize });
    return pageOf(rows, total, query);
  }
}
