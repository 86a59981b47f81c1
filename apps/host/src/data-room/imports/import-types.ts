import { ClassConstructor } from 'class-transformer';
import { getMetadataStorage } from 'class-validator';
import { EntityManager } from 'typeorm';
import { FieldError } from '../../common/problem';
import { AppointmentDto } from '../appointments/appointment.dto';
import { upsertAppointments } from '../appointments/appointments.writer';
import { ConsentDto } from '../consents/consent.dto';
import { appendConsents, ConsentRow } from '../consents/consents.writer';
import { CustomerDto } from '../customers/customer.dto';
import { upsertCustomers } from '../customers/customers.writer';
import { PendingRow, WriteResult } from '../record-writer';
import { VehicleDto } from '../vehicles/vehicle.dto';
import { upsertVehicles } from '../vehicles/vehicles.writer';

export const IMPORT_TYPES = ['customers', 'vehicles', 'consents', 'appointments'] as const;
export type ImportType = (typeof IMPORT_TYPES)[number];

const ADDRESS_COLUMNS = ['street', 'postalCode', 'city', 'country'];

/**
 * What an import of one record type needs: how a row is checked, keyed and written. Methods take
 * `object` and each type's entry its own DTO: the service only ever hands an entry its own DTO.
 */
export interface ImportTypeSpec {
  dto: ClassConstructor<object>;
  /** The field naming the record; it is not part of the DTO (for consents it names the customer). */
  key: 'externalId' | 'customerExternalId';
  /** Whether the key may repeat within a file: consents append to a ledger and have no key of their own. */
  repeatableKey: boolean;
  /** CSV is flat: these nested objects are spread over columns named after their fields. */
  nested?: Record<string, string[]>;
  /** CSV cells read as integers, booleans or JSON; a cell that does not read is left as text for validation to name. */
  integers?: string[];
  booleans?: string[];
  json?: string[];
  /** Rules of imports beyond the DTO's. */
  rules?(dto: object): FieldError[];
  /** The row as its writer takes it. */
  record(key: string, dto: object): object;
  write(manager: EntityManager, dealerId: string, rows: PendingRow<object>[]): Promise<WriteResult>;
}

export const IMPORT_SPECS: Record<ImportType, ImportTypeSpec> = {
  customers: {
    dto: CustomerDto,
    key: 'externalId',
    repeatableKey: false,
    nested: { address: ADDRESS_COLUMNS },
    json: ['contacts'],
    record: (_key, dto: CustomerDto) => dto,
    write: upsertCustomers,
  },
  vehicles: {
    dto: VehicleDto,
    key: 'externalId',
    repeatableKey: false,
    integers: ['mileageKm'],
    record: (_key, dto: VehicleDto) => dto,
    write: upsertVehicles,
  },
  consents: {
    dto: ConsentDto,
    key: 'customerExternalId',
    repeatableKey: true,
    booleans: ['granted'],
    // Without the moment the customer acted, each import would record a new statement "now".
    rules: (dto: ConsentDto) => (dto.at ? [] : [{ field: 'at', message: 'is required in imports' }]),
    record: (customerExternalId, dto: ConsentDto): ConsentRow => ({ ...dto, customerExternalId }),
    write: appendConsents,
  },
  appointments: {
    dto: AppointmentDto,
    key: 'externalId',
    repeatableKey: false,
    record: (_key, dto: AppointmentDto) => dto,
    write: upsertAppointments,
  },
};

/** The CSV columns of a type: its key and the DTO's fields, nested objects spread out. Taken from the DTO so the two never drift. */
export function csvColumns(spec: ImportTypeSpec): string[] {
  const fields = getMetadataStorage()
    .getTargetValidationMetadatas(spec.dto, '', true, false)
    .map((m) => m.propertyName);
  return [spec.key, ...new Set(fields.flatMap((f) => spec.nested?.[f] ?? [f]))];
}

const BOOLEANS: Record<string, boolean> = { true: true, yes: true, '1': true, false: false, no: false, '0': false };

/** A CSV row (cells as text, empty ones left out) in the shape of a JSON element. */
export function fromCsv(spec: ImportTypeSpec, cells: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [column, cell] of Object.entries(cells)) {
    const text = String(cell);
    const parent = Object.keys(spec.nested ?? {}).find((name) => spec.nested![name].includes(column));
    if (parent) {
      out[parent] = { ...(out[parent] as object), [column]: text };
    } else if (spec.integers?.includes(column)) {
      out[column] = /^[+-]?\d+$/.test(text) ? Number(text) : text;
    } else if (spec.booleans?.includes(column)) {
      out[column] = BOOLEANS[text.toLowerCase()] ?? text;
    } else if (spec.json?.includes(column)) {
      try {
        out[column] = JSON.parse(text);
      } catch {
        out[column] = text;
      }
    } else {
      out[column] = text;
    }
  }
  return out;
}
