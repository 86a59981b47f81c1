import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ParseIdPipe } from '../common/id.pipe';
import { ConsentEventsQuery, ConsentFeedDto, CreateWebhookDto, DeliveriesQuery } from './webhook.dto';
import { WebhooksService } from './webhooks.service';

@ApiTags('webhooks')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/dealers/:dealerId/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  /** The signing secret is in this answer only. */
  @Post()
  create(@CurrentPrincipal() principal: Principal, @Param('dealerId', ParseIdPipe) dealerId: string, @Body() body: CreateWebhookDto) {
    return this.webhooks.create(principal, dealerId, body);
  }

  @Get()
  list(@CurrentPrincipal() principal: Principal, @Param('dealerId', ParseIdPipe) dealerId: string) {
    return this.webhooks.list(principal, dealerId);
  }

  @Delete(':webhookId')
  @HttpCode(204)
  remove(
    @CurrentPrincipal() principal: Principal,
    @Param('dealerId', ParseIdPipe) dealerId: string,
    @Param('webhookId', ParseIdPipe) webhookId: string,
  ) {
    return this.webhooks.remove(principal, dealerId, webhookId);
  }

  /** A new secret, in this answer only; the old one stops signing at once. */
  @Post(':webhookId/rotate-secret')
  @HttpCode(200)
  rotateSecret(
    @CurrentPrincipal() principal: Principal,
    @Param('dealerId', ParseIdPipe) dealerId: string,
    @Param('webhookId', ParseIdPipe) webhookId: string,
  ) {
    return this.webhooks.rotateSecret(principal, dealerId, webhookId);
  }

  /** Recent deliveries, newest event first, with their attempts and last outcome. */
  @Get(':webhookId/deliveries')
  deliveries(
    @CurrentPrincipal() principal: Principal,
    @Param('dealerId', ParseIdPipe) dealerId: string,
    @Param('webhookId', ParseIdPipe) webhookId: string,
    @Query() query: DeliveriesQuery,
  ) {
    return this.webhooks.deliveries(principal, dealerId, webhookId, query.limit);
  }

  /** Queues a `webhook.test` event to this endpoint. */
  @Post(':webhookId/test')
  @HttpCode(202)
  test(
    @CurrentPrincipal() principal: Principal,
    @Param('dealerId', ParseIdPipe) dealerId: string,
    @Param('webhookId', ParseIdPipe) webhookId: string,
  ) {
    return this.webhooks.sendTest(principal, dealerId, webhookId);
  }
}

/** For CRMs that poll instead of receiving webhooks: the same events, in id order. */
@ApiTags('webhooks')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/dealers/:dealerId/consent-events')
export class ConsentEventsController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get()
  feed(@CurrentPrincipal() principal: Principal, @Param('dealerId', ParseIdPipe) dealerId: string, @Query() query: ConsentEventsQuery) {
    return this.webhooks.feed(principal, dealerId, query);
  }

  /** Whether events are recorded for the feed while the dealer has no webhook endpoint. */
  @Get('feed')
  feedState(@CurrentPrincipal() principal: Principal, @Param('dealerId', ParseIdPipe) dealerId: string) {
    return this.webhooks.feedState(principal, dealerId);
  }

  @Put('feed')
  setFeed(@CurrentPrincipal() principal: Principal, @Param('dealerId', ParseIdPipe) dealerId: string, @Body() body: ConsentFeedDto) {
    return this.webhooks.setFeed(principal, dealerId, body.enabled);
  }
}
