import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const CONSENT_CHANNELS = ['email', 'sms', 'letter', 'phone', 'all'] as const;
export const CONSENT_PURPOSES = ['service', 'marketing', 'all'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

/** One statement in the append-only consent ledger. */
@Entity('consents')
export class Consent {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'dealer_id', type: 'uuid' }) dealerId!: string;
  @Column({ name: 'customer_id', type: 'uuid' }) customerId!: string;
  @Column({ type: 'text' }) channel!: ConsentChannel;
  @Column({ type: 'text' }) purpose!: ConsentPurpose;
  @Column({ name: 'vehicle_id', type: 'uuid', nullable: true }) vehicleId!: string | null;
  @Column() granted!: boolean;
  @Column() source!: string;
  @Column({ name: 'acted_at', type: 'timestamptz' }) actedAt!: Date;
  @Column({ name: 'recorded_at', type: 'timestamptz' }) recordedAt!: Date;
  @Column({ name: 'notice_version', type: 'text', nullable: true }) noticeVersion!: string | null;
}
