import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { QueryFailedError } from 'typeorm';

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { field: string; message: string }[];
}

/** Every error leaves as RFC 9457 problem details (CONTRACT.md: status, title, detail, errors). */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse();
    const request = host.switchToHttp().getRequest();
    const problem = this.toProblem(exception);
    if (problem.status >= 500) {
      this.logger.error(`${request?.method} ${request?.url}: ${(exception as Error)?.stack ?? exception}`);
    }
    if (response.headersSent) return;
    response.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }

  private toProblem(exception: unknown): ProblemBody {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const title = STATUS_CODES[status] ?? 'Error';
      if (typeof body === 'string') return { type: 'about:blank', title, status, detail: body };
      const b = body as { title?: string; detail?: string; message?: string | string[]; errors?: ProblemBody['errors'] };
      const message = Array.isArray(b.message) ? b.message.join('; ') : b.message;
      return {
        type: 'about:blank',
        title: b.title ?? title,
        status,
        detail: b.detail ?? message ?? title,
        ...(b.errors ? { errors: b.errors } : {}),
      };
    }
    const err = exception as { type?: string; status?: number; code?: string; message?: string };
    // Body parser errors carry an HTTP status of their own.
    if (err?.type === 'entity.parse.failed') {
      return { type: 'about:blank', title: 'Bad Request', status: 400, detail: 'request body is not valid JSON' };
    }
    if (err?.type === 'entity.too.large') {
      return { type: 'about:blank', title: 'Payload Too Large', status: 413, detail: 'request body is too large' };
    }
    if (exception instanceof QueryFailedError) {
      const code = (exception as unknown as { code?: string }).code;
      if (code === '23505') {
        return { type: 'about:blank', title: 'Conflict', status: HttpStatus.CONFLICT, detail: 'a record with the same key already exists' };
      }
    }
    return { type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'an unexpected error occurred' };
  }
}
