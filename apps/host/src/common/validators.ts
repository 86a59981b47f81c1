import { registerDecorator, ValidationOptions } from 'class-validator';
import { isIsoDate } from './dates';

/** A calendar day, YYYY-MM-DD, that exists (2025-02-30 does not). */
export function IsIsoDate(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isIsoDate',
      target: target.constructor,
      propertyName,
      options: { message: 'must be a date as YYYY-MM-DD', ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && isIsoDate(value) },
    });
}

export const EXTERNAL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:\-/]{0,99}$/;
