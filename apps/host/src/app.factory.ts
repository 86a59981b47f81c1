import './plugin-host/sdk-alias';
import { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import { types } from 'pg';
import { AppModule } from './app.module';
import { ForecourtConfig } from './config/forecourt-config';
import { prepareDatabase, PreparedDatabase } from './database/database.bootstrap';
import { ProblemDetailsFilter } from './common/problem-details.filter';
import { createValidationPipe } from './common/validation';
import { servePreferencePagesFirst } from './preferences/preference-page.lane';
import { PreferencesService } from './preferences/preferences.service';
import { SeedService } from './seed/seed.service';

// A SQL date is a calendar day, not an instant: keep it as 'YYYY-MM-DD' instead of a local-midnight Date.
types.setTypeParser(1082, (value: string) => value);

/** Nest without HTTP, for the command line and worker processes. */
export async function createForecourtContext(
  config: ForecourtConfig,
  options: { database?: PreparedDatabase; log?: (line: string) => void } = {},
) {
  const database = options.database ?? (await prepareDatabase(config, options.log ?? (() => undefined)));
  const context = await NestFactory.createApplicationContext(AppModule.forRoot(config, database.appUrl), { logger: ['warn', 'error'] });
  return {
    context,
    database,
    close: async () => {
      await context.close();
      if (!options.database) await database.stop();
    },
  };
}

export interface ForecourtApp {
  app: INestApplication;
  database: PreparedDatabase;
  close(): Promise<void>;
}

/** Paths whose bodies are streamed by their handler (imports) instead of parsed up front. */
const STREAMED_BODY = /^\/api\/dealers\/[^/]+\/imports/;

export async function createForecourtApp(
  config: ForecourtConfig,
  options: { logger?: LoggerService | false; database?: PreparedDatabase } = {},
): Promise<ForecourtApp> {
  const log = (line: string) => (options.logger === false ? undefined : console.log(`[forecourt] ${line}`));
  const database = options.database ?? (await prepareDatabase(config, log));
  const app = await NestFactory.create(AppModule.forRoot(config, database.appUrl), {
    bodyParser: false,
    logger: options.logger === undefined ? ['log', 'warn', 'error'] : options.logger,
  });
  const json = express.json({ limit: '10mb', type: ['application/json', 'application/*+json'] });
  app.use((req: express.Request, res: express.Response, next: express.NextFunction) =>
    STREAMED_BODY.test(req.path) ? next() : json(req, res, next),
  );
  app.use(express.urlencoded({ extended: false, limit: '1mb' }));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Forecourt API')
      .setDescription('Marketing automation for brand and dealer networks. See README.md and CONTRACT.md.')
      .setVersion('1')
      .addBearerAuth()
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }, 'api-key')
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  await app.init();
  servePreferencePagesFirst(app.getHttpServer(), app.get(PreferencesService));
  await app.get(SeedService).onBoot();
  return {
    app,
    database,
    close: async () => {
      await app.close();
      if (!options.database) await database.stop();
    },
  };
}
