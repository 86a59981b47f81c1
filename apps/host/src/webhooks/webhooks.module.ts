import { Module } from '@nestjs/common';
import { deriveKey, FORECOURT_CONFIG, ForecourtConfig } from '../config/forecourt-config';
import { SecretBox } from '../plugin-host/secret-box';
import { WebhookDeliveryWorker, WEBHOOK_SECRET_BOX } from './webhook-delivery.worker';
import { WebhookStore } from './webhook.store';
import { ConsentEventsController, WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/**
 * Consent changes to the dealer's CRM: endpoints, the outbox of events (written by
 * appendConsents through consent-events.ts), signed deliveries with retries, and a pull feed.
 */
@Module({
  controllers: [WebhooksController, ConsentEventsController],
  providers: [
    WebhookStore,
    WebhooksService,
    WebhookDeliveryWorker,
    // Its own key: a leak of plugin secrets' key does not open the endpoints' secrets, and the other way round.
    { provide: WEBHOOK_SECRET_BOX, useFactory: (config: ForecourtConfig) => new SecretBox(deriveKey(config, 'webhook-secrets')), inject: [FORECOURT_CONFIG] },
  ],
  exports: [WebhookDeliveryWorker],
})
export class WebhooksModule {}
