import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { DataSource } from 'typeorm';
import { ParseIdPipe } from '../common/id.pipe';
import { AccessPolicy } from './access.policy';
import { ApiKey } from './api-key.entity';
import { hashApiKey, newApiKey } from './auth.service';
import { CurrentPrincipal, Principal } from './principal';

export class CreateApiKeyDto {
  @ApiPropertyOptional({ description: 'what the key is for, e.g. "DMS sync"' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  name?: string;
}

@ApiTags('api keys')
@ApiBearerAuth()
@Controller('api/dealers/:dealerId/api-keys')
export class ApiKeysController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessPolicy,
  ) {}

  /** Another dealer's keys are not found (404); one's own dealer, or the network admin's read-only view, gives 403. */
  private async assertDealer(principal: Principal, dealerId: string, action: 'create' | 'read' | 'delete') {
    const visible = principal.dealerId === dealerId || this.access.can(principal, 'read', 'ApiKey', { dealerId });
    if (!visible) throw new NotFoundException('dealer not found');
    const found = await this.dataSource.query('SELECT 1 FROM dealers WHERE id = $1', [dealerId]);
    if (!found.length) throw new NotFoundException('dealer not found');
    this.access.assert(principal, action, 'ApiKey', { dealerId });
  }

  /** The key is in this answer only; Forecourt keeps a hash. */
  @Post()
  async create(
    @CurrentPrincipal() principal: Principal,
    @Param('dealerId', ParseIdPipe) dealerId: string,
    @Body() body: CreateApiKeyDto,
  ) {
    await this.assertDealer(principal, dealerId, 'create');
    const { key, prefix } = newApiKey();
    const saved = await this.dataSource.getRepository(ApiKey).save({
      dealerId,
      name: body.name ?? null,
      prefix,
      keyHash: hashApiKey(key),
      createdBy: principal.kind === 'user' ? principal.id : null,
    });
    return { id: saved.id, key, prefix, name: saved.name, dealerId, createdAt: saved.createdAt };
  }

  @Get()
  async list(@CurrentPrincipal() principal: Principal, @Param('dealerId', ParseIdPipe) dealerId: string) {
    await this.assertDealer(principal, dealerId, 'read');
    const keys = await this.dataSource.getRepository(ApiKey).find({ where: { dealerId }, order: { createdAt: 'DESC' } });
    return keys.map(({ keyHash: _hash, ...view }) => view);
  }

  @Delete(':keyId')
  @HttpCode(204)
  async revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('dealerId', ParseIdPipe) dealerId: string,
    @Param('keyId', ParseIdPipe) keyId: string,
  ) {
    await this.assertDealer(principal, dealerId, 'delete');
    // TypeORM answers UPDATE … RETURNING with [rows, rowCount].
    const [revoked] = await this.dataSource.query(
      `UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND dealer_id = $2 AND revoked_at IS NULL RETURNING id`,
      [keyId, dealerId],
    );
    if (!revoked.length) throw new NotFoundException('API key not found');
  }
}
