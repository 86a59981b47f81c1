import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { IMPORT_TYPES, ImportType } from './import-types';

/** Documented with @ApiQuery on the route, so the query is not described twice. */
export class ImportQuery {
  @IsIn(IMPORT_TYPES, { message: `must be ${IMPORT_TYPES.join(', ')}` }) type!: ImportType;
}

export class ImportError {
  @ApiProperty({ description: 'the physical line in the file (a CSV header is line 1); for JSON, where the element starts' })
  line!: number;
  @ApiPropertyOptional({ description: 'JSON only: the 1-based index of the element in the array' })
  element?: number;
  @ApiProperty({ description: 'the field at fault; `file` when the file itself is damaged (a broken quote, a cut-off end)' })
  field!: string;
  @ApiProperty() message!: string;
}

export const MAX_LISTED_ERRORS = 1000;

export class ImportResult {
  @ApiProperty() created!: number;
  @ApiProperty() updated!: number;
  @ApiProperty({ description: 'rows equal to what is stored already (a re-import)' }) unchanged!: number;
  @ApiProperty({ description: 'rows not imported, including unreadable parts of the file' }) failed!: number;
  @ApiProperty({ type: [ImportError], description: `why rows failed, in file order; at most ${MAX_LISTED_ERRORS}` })
  errors!: ImportError[];
}
