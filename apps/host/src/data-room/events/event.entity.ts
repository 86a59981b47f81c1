import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Something a customer did (a website visit, a test drive, a quote) for event-driven triggers. */
@Entity('events')
export class CustomerEvent {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'dealer_id', type: 'uuid' }) dealerId!: string;
  @Column({ name: 'customer_id', type: 'uuid' }) customerId!: string;
  @Column({ name: 'external_id', type: 'text', nullable: true }) externalId!: string | null;
  @Column() type!: string;
  @Column({ type: 'timestamptz' }) at!: Date;
  @Column({ type: 'jsonb' }) properties!: Record<string, unknown>;
  @Column({ name: 'recorded_at', type: 'timestamptz' }) recordedAt!: Date;
}
