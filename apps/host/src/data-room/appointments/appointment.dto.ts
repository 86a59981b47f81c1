import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsISO8601, Matches } from 'class-validator';
import { EXTERNAL_ID_PATTERN } from '../../common/validators';
import { APPOINTMENT_STATUSES, APPOINTMENT_TYPES } from './appointment.entity';

export class AppointmentDto {
  @ApiProperty() @Matches(EXTERNAL_ID_PATTERN, { message: 'must be an external id' }) vehicleExternalId!: string;
  @ApiProperty({ enum: APPOINTMENT_TYPES }) @IsIn(APPOINTMENT_TYPES as unknown as string[]) type!: (typeof APPOINTMENT_TYPES)[number];
  @ApiProperty({ example: '2026-12-01T09:30:00+01:00' }) @IsISO8601({ strict: true }) startsAt!: string;
  @ApiProperty({ enum: APPOINTMENT_STATUSES }) @IsIn(APPOINTMENT_STATUSES as unknown as string[]) status!: (typeof APPOINTMENT_STATUSES)[number];
}
