import { Column, CreateDateColumn, Entity, JoinTable, ManyToMany, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Brand } from '../brands/brand.entity';

export interface PostalAddress {
  street: string;
  postalCode: string;
  city: string;
  country: string;
}

@Entity('dealers')
export class Dealer {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column() key!: string;
  @Column() name!: string;
  @Column() timezone!: string;
  @Column() locale!: string;
  @Column({ type: 'text', nullable: true }) email!: string | null;
  @Column({ type: 'text', nullable: true }) phone!: string | null;
  @Column({ type: 'jsonb', nullable: true }) address!: PostalAddress | null;
  @Column({ name: 'sender_name', type: 'text', nullable: true }) senderName!: string | null;
  @Column({ name: 'sender_email', type: 'text', nullable: true }) senderEmail!: string | null;
  @ManyToMany(() => Brand)
  @JoinTable({ name: 'dealer_brands', joinColumn: { name: 'dealer_id' }, inverseJoinColumn: { name: 'brand_id' } })
  brands!: Brand[];
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
