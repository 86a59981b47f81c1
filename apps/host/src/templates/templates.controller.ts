import { Body, Controller, Get, Header, Param, ParseIntPipe, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ParseIdPipe } from '../common/id.pipe';
import { DealerSlotsService } from './dealer-slots.service';
import { MERGE_FIELDS } from './preview-samples';
import { TemplatePreviewService } from './template-preview.service';
import { CreateTemplateDto, DealerSlotsDto, PreviewDto, RollbackDto, SaveTemplateDto, TemplateListQuery } from './template.dto';
import { TemplatesService } from './templates.service';

/** The preview is a message from someone else's markup: nothing in it may run or load beyond images and inline styles. */
const PREVIEW_CSP = "default-src 'none'; img-src * data:; style-src 'unsafe-inline'; font-src data:; sandbox";

@ApiTags('templates')
@ApiBearerAuth()
@Controller('api')
export class TemplatesController {
  constructor(
    private readonly templates: TemplatesService,
    private readonly previews: TemplatePreviewService,
    private readonly slots: DealerSlotsService,
  ) {}

  @Get('templates')
  list(@CurrentPrincipal() principal: Principal, @Query() query: TemplateListQuery) {
    return this.templates.list(principal, query);
  }

  @Post('templates')
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateTemplateDto) {
    return this.templates.create(principal, body);
  }

  /** Sample customers for the preview: a private customer and a fleet per language. */
  @Get('templates/samples')
  samples() {
    return this.previews.samples();
  }

  /** The merge fields templates can use, for the studio's picker. */
  @Get('templates/merge-fields')
  mergeFields() {
    return { groups: MERGE_FIELDS };
  }

  @Get('templates/:templateId')
  get(@CurrentPrincipal() principal: Principal, @Param('templateId', ParseIdPipe) id: string) {
    return this.templates.get(principal, id);
  }

  @Put('templates/:templateId')
  save(@CurrentPrincipal() principal: Principal, @Param('templateId', ParseIdPipe) id: string, @Body() body: SaveTemplateDto) {
    return this.templates.save(principal, id, body);
  }

  @Post('templates/:templateId/publish')
  publish(@CurrentPrincipal() principal: Principal, @Param('templateId', ParseIdPipe) id: string) {
    return this.templates.publish(principal, id);
  }

  @Get('templates/:templateId/versions')
  versions(@CurrentPrincipal() principal: Principal, @Param('templateId', ParseIdPipe) id: string) {
    return this.templates.versions(principal, id);
  }

  @Get('templates/:templateId/versions/:version')
  version(@CurrentPrincipal() principal: Principal, @Param('templateId', ParseIdPipe) id: string, @Param('version', ParseIntPipe) version: number) {
    return this.templates.version(principal, id, version);
  }

  @Post('templates/:templateId/rollback')
  rollback(@CurrentPrincipal() principal: Principal, @Param('templateId', ParseIdPipe) id: string, @Body() body: RollbackDto) {
    return this.templates.rollback(principal, id, body);
  }

  /** `{subject, html, text, page?}` for `Accept: application/json`, else the HTML itself (a letter on its A4 sheet), under a CSP that lets nothing run. */
  @Post('templates/:templateId/preview')
  @Header('Cache-Control', 'no-store')
  async preview(
    @CurrentPrincipal() principal: Principal,
    @Param('templateId', ParseIdPipe) id: string,
    @Body() body: PreviewDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.previews.preview(principal, id, body);
    // Without an Accept header (a browser form, curl) express picks the first: HTML.
    if (req.accepts(['text/html', 'application/json']) === 'application/json') return result;
    res.setHeader('Content-Security-Policy', PREVIEW_CSP);
    res.type(result.html === undefined ? 'text/plain' : 'text/html');
    return result.page ?? result.html ?? result.text;
  }

  @Get('dealers/:dealerId/template-slots/:templateId')
  dealerSlots(@CurrentPrincipal() principal: Principal, @Param('dealerId', ParseIdPipe) dealerId: string, @Param('templateId', ParseIdPipe) id: string) {
    return this.slots.get(principal, dealerId, id);
  }

  @Put('dealers/:dealerId/template-slots/:templateId')
  setDealerSlots(
    @CurrentPrincipal() principal: Principal,
    @Param('dealerId', ParseIdPipe) dealerId: string,
    @Param('templateId', ParseIdPipe) id: string,
    @Body() body: DealerSlotsDto,
  ) {
    return this.slots.put(principal, dealerId, id, body);
  }
}
