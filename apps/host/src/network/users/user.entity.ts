import { Column, CreateDateColumn, Entity, JoinTable, ManyToMany, PrimaryGeneratedColumn } from 'typeorm';
import { Role } from '../../auth/principal';
import { Brand } from '../brands/brand.entity';

@Entity('users')
export class User {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column() email!: string;
  @Column({ name: 'password_hash' }) passwordHash!: string;
  @Column({ type: 'text', nullable: true }) name!: string | null;
  @Column({ type: 'text' }) role!: Role;
  @Column({ name: 'dealer_id', type: 'uuid', nullable: true }) dealerId!: string | null;
  @ManyToMany(() => Brand)
  @JoinTable({ name: 'user_brands', joinColumn: { name: 'user_id' }, inverseJoinColumn: { name: 'brand_id' } })
  brands!: Brand[];
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'last_login_at', type: 'timestamptz', nullable: true }) lastLoginAt!: Date | null;
}
