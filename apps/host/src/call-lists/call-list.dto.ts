import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, registerDecorator, ValidateIf, ValidationOptions } from 'class-validator';
import { PageQuery } from '../common/pagination';
import { IsIsoDate } from '../common/validators';

export const CALL_OUTCOMES = ['appointment', 'no-answer', 'declined', 'wrong-number'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** An instant with its offset: an appointment time without one would be read in the server's zone, not the dealer's. */
function IsInstant(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isInstant',
      target: target.constructor,
      propertyName,
      options: { message: 'must be an ISO-8601 date and time with its offset, like 2026-03-02T09:30:00+01:00', ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && INSTANT.test(value) && !Number.isNaN(Date.parse(value)) },
    });
}

export class CallListQueryDto extends PageQuery {
  @ApiPropertyOptional({ description: "the day of the list, YYYY-MM-DD; default today in the dealer's time zone" })
  @IsOptional()
  @IsIsoDate()
  date?: string;
}

export class CallOutcomeDto {
  @ApiProperty({ enum: CALL_OUTCOMES })
  @IsIn(CALL_OUTCOMES, { message: `must be one of ${CALL_OUTCOMES.join(', ')}` })
  outcome!: CallOutcome;

  @ApiPropertyOptional({ description: 'when the booked appointment starts; required when outcome is appointment', example: '2026-03-02T09:30:00+01:00' })
  @ValidateIf((dto: CallOutcomeDto) => dto.outcome === 'appointment' || (dto.appointmentStartsAt !== undefined && dto.appointmentStartsAt !== null))
  @IsInstant({ message: 'must be an ISO-8601 date and time with its offset (like 2026-03-02T09:30:00+01:00), and is required when outcome is appointment' })
  appointmentStartsAt?: string | null;
}
