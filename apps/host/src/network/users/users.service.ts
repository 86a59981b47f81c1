import { ConflictException, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { AccessPolicy } from '../../auth/access.policy';
import { hashPassword } from '../../auth/password';
import { Principal } from '../../auth/principal';
import { fieldError } from '../../common/problem';
import { PageQuery, pageOf } from '../../common/pagination';
import { Brand } from '../brands/brand.entity';
import { CreateUserDto } from './user.dto';
import { User } from './user.entity';
import { userView } from './user.view';

@Injectable()
export class UsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessPolicy,
  ) {}

  toView = userView;

  async create(principal: Principal, dto: CreateUserDto) {
    if (!this.access.can(principal, 'create', 'User', { dealerId: dto.dealerId, role: dto.role })) {
      throw fieldError('role', `a ${principal.role} may not create a ${dto.role}`);
    }
    return this.toView(await this.createUser(dto));
  }

  /** Also used at boot for the first network admin and by the demo seed. */
  async createUser(dto: CreateUserDto, manager: EntityManager = this.dataSource.manager): Promise<User> {
    const needsDealer = dto.role === 'dealer-admin' || dto.role === 'dealer-user';
    if (needsDealer && !dto.dealerId) throw fieldError('dealerId', `is required for a ${dto.role}`);
    if (!needsDealer && dto.dealerId) throw fieldError('dealerId', `is only for dealer roles`);
    if (dto.role !== 'brand-admin' && dto.brandIds?.length) throw fieldError('brandIds', 'is only for brand-admin');
    if (dto.role === 'brand-admin' && !dto.brandIds?.length) throw fieldError('brandIds', 'is required for a brand-admin');
    if (dto.dealerId && !(await manager.query('SELECT 1 FROM dealers WHERE id = $1', [dto.dealerId])).length) {
      throw fieldError('dealerId', 'unknown dealer');
    }
    const brands = dto.brandIds?.length ? await manager.getRepository(Brand).findBy({ id: In(dto.brandIds) }) : [];
    if (brands.length !== (dto.brandIds?.length ?? 0)) throw fieldError('brandIds', 'unknown brand');
    const repo = manager.getRepository(User);
    if (await repo.createQueryBuilder('u').where('lower(u.email) = lower(:email)', { email: dto.email }).getExists()) {
      throw new ConflictException(`email: a user with email ${dto.email} already exists`);
    }
    return repo.save(
      repo.create({
        email: dto.email,
        passwordHash: await hashPassword(dto.password),
        name: dto.name ?? null,
        role: dto.role,
        dealerId: dto.dealerId ?? null,
        brands,
      }),
    );
  }

  async list(principal: Principal, query: PageQuery) {
    const qb = this.dataSource.getRepository(User).createQueryBuilder('u').leftJoinAndSelect('u.brands', 'b').orderBy('u.email');
    if (principal.role === 'dealer-admin') {
      qb.where('u.dealer_id = :dealerId', { dealerId: principal.dealerId });
    } else if (!this.access.can(principal, 'manage', 'User')) {
      qb.where('u.id = :id', { id: principal.id });
    }
    const [items, total] = await qb.skip((query.page - 1) * query.pageSize).take(query.pageSize).getManyAndCount();
    return pageOf(items.map((u) => this.toView(u)), total, query);
  }

  async exists(email: string): Promise<boolean> {
    return this.dataSource.getRepository(User).createQueryBuilder('u').where('lower(u.email) = lower(:email)', { email }).getExists();
  }
}
