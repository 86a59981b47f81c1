import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const APPOINTMENT_TYPES = ['inspection', 'service', 'repair', 'other'] as const;
export const APPOINTMENT_STATUSES = ['booked', 'done', 'cancelled'] as const;

@Entity('appointments')
export class Appointment {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'dealer_id', type: 'uuid' }) dealerId!: string;
  @Column({ name: 'external_id' }) externalId!: string;
  @Column({ name: 'customer_id', type: 'uuid' }) customerId!: string;
  @Column({ name: 'vehicle_id', type: 'uuid' }) vehicleId!: string;
  @Column({ type: 'text' }) type!: (typeof APPOINTMENT_TYPES)[number];
  @Column({ name: 'starts_at', type: 'timestamptz' }) startsAt!: Date;
  @Column({ type: 'text' }) status!: (typeof APPOINTMENT_STATUSES)[number];
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
