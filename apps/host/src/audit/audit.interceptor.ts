import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Observable, mergeMap } from 'rxjs';
import { Principal } from '../auth/principal';
import { AuditService } from './audit.service';

export const AUDITED_BY_HANDLER = 'forecourt:audited-by-handler';
/** For handlers that write their own, more careful entry (erasure must not keep the erased key). */
export const AuditedByHandler = () => SetMetadata(AUDITED_BY_HANDLER, true);

/**
 * Every change made by a person (not by an integration's API key) is written to the audit log:
 * who, which route, which record, when. Bodies are not copied: they may hold personal data.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly audit: AuditService,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest();
    const principal: Principal | undefined = request?.principal;
    const mutating = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(request?.method);
    if (!mutating || principal?.kind !== 'user' || this.reflector.get(AUDITED_BY_HANDLER, context.getHandler())) {
      return next.handle();
    }
    return next.handle().pipe(
      mergeMap(async (result) => {
        const params: Record<string, string> = { ...(request.params ?? {}) };
        const entityId = (result as { id?: string } | undefined)?.id ?? Object.values(params).pop();
        await this.audit.record(principal, {
          action: `${request.method} ${request.route?.path ?? request.path}`,
          entityType: context.getClass().name.replace(/Controller$/, ''),
          entityId,
          dealerId: params.dealerId ?? principal.dealerId,
          details: { params },
        });
        return result;
      }),
    );
  }
}
