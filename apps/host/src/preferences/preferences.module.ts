import { Module } from '@nestjs/common';
import { PreferencesController } from './preferences.controller';
import { PreferencesService } from './preferences.service';

/** The customer's own pages: preference center, one-click unsubscribe, email address confirmation. */
@Module({ controllers: [PreferencesController], providers: [PreferencesService] })
export class PreferencesModule {}
