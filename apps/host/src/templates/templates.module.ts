import { Module } from '@nestjs/common';
import { DealerSlotsService } from './dealer-slots.service';
import { TemplatePreviewService } from './template-preview.service';
import { TemplatesController } from './templates.controller';
import { TemplatesService } from './templates.service';

/**
 * The studio's server side: master templates with drafts, immutable published versions and
 * rollback, dealers' slot values, and the live preview. What dispatch renders comes from
 * DbTemplateSource (bound in RenderingModule), which imports the shipped masters at boot.
 */
@Module({
  controllers: [TemplatesController],
  providers: [TemplatesService, DealerSlotsService, TemplatePreviewService],
})
export class TemplatesModule {}
