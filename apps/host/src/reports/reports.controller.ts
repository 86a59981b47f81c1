import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ParseIdPipe } from '../common/id.pipe';
import { FIGURES } from './report-suppression';
import { toCsv } from './report-csv';
import { ReportQueryDto } from './report.dto';
import { ReportsService } from './reports.service';

const DEALER_FIELDS = ['week', 'serviceKey', 'channel', ...FIGURES] as const;
const BRAND_FIELDS = ['week', 'serviceKey', 'channel', 'dealers', 'suppressed', ...FIGURES] as const;

/** CSV when asked for by `?format=csv` or an Accept header that prefers text/csv to JSON. */
function wantsCsv(request: Request, query: ReportQueryDto): boolean {
  if (query.format) return query.format === 'csv';
  return request.accepts(['application/json', 'text/csv']) === 'text/csv';
}

function sendCsv(response: Response, fileName: string, fields: readonly string[], rows: readonly object[]): string {
  response.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${fileName}"` });
  return toCsv(fields, rows as Record<string, unknown>[]);
}

@ApiTags('reports')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('dealers/:dealerId/reports')
  @ApiOperation({ summary: "The dealer's sent, delivered, opened, clicked, bounced, failed, appointments and cost by ISO week, service and channel, with budget against spend" })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ description: '{dealerId, from, to, totals, rows, budget}; as CSV, the rows' })
  async dealer(
    @CurrentPrincipal() principal: Principal,
    @Param('dealerId', ParseIdPipe) dealerId: string,
    @Query() query: ReportQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const report = await this.reports.dealerReport(principal, dealerId, query);
    if (!wantsCsv(request, query)) return report;
    return sendCsv(response, `report-${report.from}-${report.to}.csv`, DEALER_FIELDS, report.rows);
  }

  @Get('brands/:brandId/reports')
  @ApiOperation({ summary: 'The same figures summed over the dealers selling the brand, whole ISO weeks; rows about fewer than 5 customers or 3 dealers suppressed' })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ description: '{brandId, from, to, dealers, totals, rows}; as CSV, the rows' })
  async brand(
    @CurrentPrincipal() principal: Principal,
    @Param('brandId', ParseIdPipe) brandId: string,
    @Query() query: ReportQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const report = await this.reports.brandReport(principal, brandId, query);
    if (!wantsCsv(request, query)) return report;
    return sendCsv(response, `brand-report-${report.from}-${report.to}.csv`, BRAND_FIELDS, report.rows);
  }
}
