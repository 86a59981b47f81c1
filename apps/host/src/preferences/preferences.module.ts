import { Module } from '@nestjs/common';
import { PreferencesController } from './preferences.controller';
import { PreferencesService } from './preferences.service';

/**
 * The customer's own pages: preference center, one-click unsubscribe, email address confirmation.
 * GET and HEAD of the page itself are served ahead of the app (preference-page.lane.ts, installed by app.factory.ts).
 */
@Module({ controllers: [PreferencesController], providers: [PreferencesService] })
export class PreferencesModule {}
