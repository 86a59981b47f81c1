import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('vehicles')
export class Vehicle {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'dealer_id', type: 'uuid' }) dealerId!: string;
  @Column({ name: 'external_id' }) externalId!: string;
  @Column({ name: 'customer_id', type: 'uuid' }) customerId!: string;
  @Column({ name: 'brand_id', type: 'uuid' }) brandId!: string;
  @Column({ type: 'text', nullable: true }) model!: string | null;
  @Column({ name: 'license_plate', type: 'text', nullable: true }) licensePlate!: string | null;
  @Column({ type: 'text', nullable: true }) vin!: string | null;
  @Column({ name: 'registration_date', type: 'date', nullable: true }) registrationDate!: string | null;
  @Column({ name: 'inspection_due_date', type: 'date', nullable: true }) inspectionDueDate!: string | null;
  @Column({ name: 'next_service_date', type: 'date', nullable: true }) nextServiceDate!: string | null;
  @Column({ name: 'mileage_km', type: 'integer', nullable: true }) mileageKm!: number | null;
  @Column({ name: 'warranty_end_date', type: 'date', nullable: true }) warrantyEndDate!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
