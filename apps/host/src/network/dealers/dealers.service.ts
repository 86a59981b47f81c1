import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { AccessPolicy } from '../../auth/access.policy';
import { Principal } from '../../auth/principal';
import { fieldError } from '../../common/problem';
import { PageQuery, pageOf } from '../../common/pagination';
import { Brand } from '../brands/brand.entity';
import { CreateDealerDto, UpdateDealerDto } from './dealer.dto';
import { Dealer } from './dealer.entity';

@Injectable()
export class DealersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessPolicy,
  ) {}

  private get repo() {
    return this.dataSource.getRepository(Dealer);
  }

  toView(dealer: Dealer) {
    return {
      id: dealer.id,
      key: dealer.key,
      name: dealer.name,
      brandIds: (dealer.brands ?? []).map((b) => b.id),
      timezone: dealer.timezone,
      locale: dealer.locale,
      email: dealer.email ?? undefined,
      phone: dealer.phone ?? undefined,
      address: dealer.address ?? undefined,
      senderName: dealer.senderName ?? undefined,
      senderEmail: dealer.senderEmail ?? undefined,
      createdAt: dealer.createdAt,
      updatedAt: dealer.updatedAt,
    };
  }

  async create(principal: Principal, dto: CreateDealerDto) {
    this.access.assert(principal, 'create', 'Dealer');
    if (await this.repo.existsBy({ key: dto.key })) throw new ConflictException(`key: a dealer with key "${dto.key}" already exists`);
    const brands = await this.brandsFor(dto.brandIds);
    const { brandIds: _ids, ...fields } = dto;
    const saved = await this.repo.save(this.repo.create({ ...fields, brands }));
    return this.toView(saved);
  }

  /** Scoped in SQL: a brand admin sees dealers selling its brands, a dealer only itself. */
  async list(principal: Principal, query: PageQuery) {
    const qb = this.repo.createQueryBuilder('d').leftJoinAndSelect('d.brands', 'b').orderBy('d.name').addOrderBy('d.id');
    if (principal.role === 'brand-admin') {
      qb.where('d.id IN (SELECT dealer_id FROM dealer_brands WHERE brand_id = ANY(:brandIds))', { brandIds: principal.brandIds });
    } else if (principal.role !== 'network-admin') {
      qb.where('d.id = :id', { id: principal.dealerId });
    }
    const [items, total] = await qb.skip((query.page - 1) * query.pageSize).take(query.pageSize).getManyAndCount();
    return pageOf(items.map((d) => this.toView(d)), total, query);
  }

  async get(principal: Principal, id: string) {
    return this.toView(await this.findVisible(principal, id));
  }

  async update(principal: Principal, id: string, dto: UpdateDealerDto) {
    const dealer = await this.findVisible(principal, id);
    this.access.assert(principal, 'update', 'Dealer', { id, brandIds: dealer.brands.map((b) => b.id) });
    const { brandIds, key, ...fields } = dto;
    if ((brandIds || key) && !this.access.can(principal, 'manage', 'Dealer')) {
      throw fieldError(brandIds ? 'brandIds' : 'key', 'only a network admin may change this');
    }
    if (key && key !== dealer.key && (await this.repo.existsBy({ key }))) {
      throw new ConflictException(`key: a dealer with key "${key}" already exists`);
    }
    if (brandIds) dealer.brands = await this.brandsFor(brandIds);
    Object.assign(dealer, fields, key ? { key } : {});
    return this.toView(await this.repo.save(dealer));
  }

  /** 404 for a dealer that is not there and for one the caller may not see. */
  async findVisible(principal: Principal, id: string): Promise<Dealer> {
    const dealer = await this.repo.findOne({ where: { id }, relations: { brands: true } });
    if (!dealer || !this.access.can(principal, 'read', 'Dealer', { id, brandIds: dealer.brands.map((b) => b.id) })) {
      throw new NotFoundException('dealer not found');
    }
    return dealer;
  }

  private async brandsFor(ids: string[]): Promise<Brand[]> {
    const brands = await this.dataSource.getRepository(Brand).findBy({ id: In(ids) });
    const missing = ids.filter((id) => !brands.some((b) => b.id === id));
    if (missing.length) throw fieldError('brandIds', `unknown brand ${missing.join(', ')}`);
    return brands;
  }
}
