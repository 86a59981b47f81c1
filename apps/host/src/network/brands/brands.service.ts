import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccessPolicy } from '../../auth/access.policy';
import { Principal } from '../../auth/principal';
import { PageQuery, pageOf } from '../../common/pagination';
import { sanitiseRichText } from '../../templates/markup';
import { Brand, BrandTheme } from './brand.entity';
import { CreateBrandDto, UpdateBrandDto } from './brand.dto';

@Injectable()
export class BrandsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessPolicy,
  ) {}

  private get repo() {
    return this.dataSource.getRepository(Brand);
  }

  toView(brand: Brand) {
    return { id: brand.id, key: brand.key, name: brand.name, theme: brand.theme, createdAt: brand.createdAt, updatedAt: brand.updatedAt };
  }

  async create(principal: Principal, dto: CreateBrandDto) {
    this.access.assert(principal, 'create', 'Brand');
    await this.refuseTakenKey(dto.key);
    return this.toView(await this.repo.save(this.repo.create({ key: dto.key, name: dto.name, theme: safeTheme({ ...dto.theme }) })));
  }

  async list(principal: Principal, query: PageQuery) {
    this.access.assert(principal, 'read', 'Brand');
    const [items, total] = await this.repo.findAndCount({
      order: { name: 'ASC' },
      skip: (query.page - 1) * query.pageSize,
      take: query.pageSize,
    });
    return pageOf(items.map((b) => this.toView(b)), total, query);
  }

  async get(principal: Principal, id: string) {
    const brand = await this.repo.findOneBy({ id });
    if (!brand || !this.access.can(principal, 'read', 'Brand', { id })) throw new NotFoundException('brand not found');
    return this.toView(brand);
  }

  async update(principal: Principal, id: string, dto: UpdateBrandDto) {
    const brand = await this.repo.findOneBy({ id });
    if (!brand || !this.access.can(principal, 'read', 'Brand', { id })) throw new NotFoundException('brand not found');
    this.access.assert(principal, 'update', 'Brand', { id });
    if (dto.key && dto.key !== brand.key) await this.refuseTakenKey(dto.key);
    Object.assign(brand, {
      ...(dto.key ? { key: dto.key } : {}),
      ...(dto.name ? { name: dto.name } : {}),
      ...(dto.theme ? { theme: safeTheme({ ...brand.theme, ...dto.theme }) } : {}),
    });
    return this.toView(await this.repo.save(brand));
  }

  private async refuseTakenKey(key: string) {
    if (await this.repo.existsBy({ key })) throw new ConflictException(`key: a brand with key "${key}" already exists`);
  }
}

/** The footer is HTML every email and letter of the brand carries: a few inline tags and plain links, nothing that runs. */
function safeTheme(theme: BrandTheme): BrandTheme {
  return typeof theme.footerHtml === 'string' ? { ...theme, footerHtml: sanitiseRichText(theme.footerHtml) } : theme;
}
