import { Controller, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AccessPolicy } from '../../auth/access.policy';
import { CurrentPrincipal, Principal } from '../../auth/principal';
import { ParseIdPipe } from '../../common/id.pipe';
import { fieldError } from '../../common/problem';
import { ImportQuery, ImportResult } from './import.dto';
import { assertEncoding } from './import-source';
import { IMPORT_TYPES } from './import-types';
import { ImportFormat, ImportsService } from './imports.service';

const FORMATS: Record<string, ImportFormat> = { 'text/csv': 'csv', 'application/json': 'json' };

function readContentType(header: string | undefined): { format: ImportFormat; encoding: string } {
  const [mediaType, ...parameters] = (header ?? '').split(';').map((part) => part.trim());
  const format = FORMATS[mediaType.toLowerCase()];
  if (!format) {
    throw fieldError('content-type', mediaType ? `must be text/csv or application/json, not ${mediaType}` : 'is required: text/csv or application/json');
  }
  const encoding = parameters.map((p) => /^charset\s*=\s*"?([^"]+)"?$/i.exec(p)?.[1]).find(Boolean) ?? 'utf-8';
  try {
    assertEncoding(encoding);
  } catch {
    throw fieldError('content-type', `charset ${encoding} is not supported`);
  }
  return { format, encoding };
}

@ApiTags('data room: imports')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/dealers/:dealerId/imports')
export class ImportsController {
  constructor(
    private readonly access: AccessPolicy,
    private readonly imports: ImportsService,
  ) {}

  /**
   * The body is not parsed up front (see app.factory): the request is read as a stream, after the
   * caller is known to be allowed in, and a bad row never stops the good ones.
   */
  @Post()
  @HttpCode(200)
  @ApiQuery({ name: 'type', enum: IMPORT_TYPES })
  @ApiConsumes('text/csv', 'application/json')
  @ApiBody({
    description:
      'CSV: a header line naming the columns (the fields of the PUT or POST body, plus externalId, or customerExternalId ' +
      'for consents; an address as street, postalCode, city, country; contacts as JSON), separated by , or ; ' +
      'JSON: an array of such objects, nested as in the API. Consents need `at`.',
    schema: { type: 'string' },
  })
  @ApiOkResponse({ type: ImportResult })
  import(
    @CurrentPrincipal() principal: Principal,
    @Param('dealerId', ParseIdPipe) dealerId: string,
    @Query() query: ImportQuery,
    @Req() request: Request,
  ): Promise<ImportResult> {
    this.access.assertDataRoom(principal, dealerId, 'update');
    const { format, encoding } = readContentType(request.headers['content-type']);
    return this.imports.import(dealerId, query.type, format, request, { encoding });
  }
}
