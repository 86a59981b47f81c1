import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, ValidationProblem } from './problem';

export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    for (const message of Object.values(error.constraints ?? {})) {
      // class-validator starts messages with the property's name, which `field` already gives.
      out.push({ field, message: message.replace(/^property \S+ /, '').replace(new RegExp(`^${error.property} `), '') });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

/** Fields (by path) whose text holds U+0000, which PostgreSQL cannot store in text. */
export function nulCharacterErrors(value: unknown, prefix = ''): FieldError[] {
  if (typeof value === 'string') return value.includes('\u0000') ? [{ field: prefix || 'body', message: 'must not contain the character U+0000' }] : [];
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => nulCharacterErrors(inner, prefix ? `${prefix}.${key}` : key));
}

class ForecourtValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata) {
    const nul = metadata.type === 'body' || metadata.type === 'query' ? nulCharacterErrors(value) : [];
    if (nul.length) throw new ValidationProblem(nul);
    return super.transform(value, metadata);
  }
}

/** Unknown fields are refused by name, so a typo never silently drops data. */
export function createValidationPipe(): ValidationPipe {
  return new ForecourtValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => new ValidationProblem(flattenValidationErrors(errors)),
  });
}
