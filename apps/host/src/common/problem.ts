import { BadRequestException, HttpException, HttpStatus } from '@nestjs/common';

export interface FieldError {
  field: string;
  message: string;
}

/** A 400 that names every field at fault; rendered as problem+json with `errors`. */
export class ValidationProblem extends BadRequestException {
  constructor(
    readonly errors: FieldError[],
    detail = errors.map((e) => `${e.field}: ${e.message}`).join('; '),
  ) {
    super({ title: 'Validation failed', detail, errors });
  }
}

export function fieldError(field: string, message: string): ValidationProblem {
  return new ValidationProblem([{ field, message }]);
}

export class ProblemException extends HttpException {
  constructor(status: HttpStatus, title: string, detail: string) {
    super({ title, detail }, status);
  }
}
