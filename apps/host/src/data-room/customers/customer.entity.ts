import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export interface ContactPerson {
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string;
  role?: string;
}

/** A dealer's customer: a person, or a company (a fleet) with contact people. */
@Entity('customers')
export class Customer {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'dealer_id', type: 'uuid' }) dealerId!: string;
  @Column({ name: 'external_id' }) externalId!: string;
  @Column({ type: 'text' }) kind!: 'person' | 'company';
  @Column({ name: 'first_name', type: 'text', nullable: true }) firstName!: string | null;
  @Column({ name: 'last_name', type: 'text', nullable: true }) lastName!: string | null;
  @Column({ name: 'company_name', type: 'text', nullable: true }) companyName!: string | null;
  @Column({ type: 'text', nullable: true }) email!: string | null;
  @Column({ type: 'text', nullable: true }) phone!: string | null;
  @Column({ type: 'text', nullable: true }) street!: string | null;
  @Column({ name: 'postal_code', type: 'text', nullable: true }) postalCode!: string | null;
  @Column({ type: 'text', nullable: true }) city!: string | null;
  @Column({ type: 'text', nullable: true }) country!: string | null;
  @Column({ name: 'birth_date', type: 'date', nullable: true }) birthDate!: string | null;
  @Column({ type: 'text', nullable: true }) locale!: string | null;
  @Column({ type: 'jsonb' }) contacts!: ContactPerson[];
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
