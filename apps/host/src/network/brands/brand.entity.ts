import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export interface BrandTheme {
  primaryColor: string;
  secondaryColor?: string;
  fontFamily?: string;
  logoUrl?: string;
  footerHtml?: string;
}

@Entity('brands')
export class Brand {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column() key!: string;
  @Column() name!: string;
  @Column({ type: 'jsonb' }) theme!: BrandTheme;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
