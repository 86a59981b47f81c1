import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/principal';
import { STUDIO_CSP, StudioFiles } from './studio-files';

/** The studio's pages and assets at /studio; public, since the app logs in through the API itself. */
@ApiExcludeController()
@Controller('studio')
export class StudioController {
  private readonly files = new StudioFiles();

  @Public()
  @Get()
  index(@Res() response: Response): void {
    this.send('', response);
  }

  @Public()
  @Get('*path')
  file(@Param('path') path: string | string[], @Res() response: Response): void {
    this.send(Array.isArray(path) ? path.join('/') : path, response);
  }

  private send(relative: string, response: Response): void {
    response.set({ 'Content-Security-Policy': STUDIO_CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'same-origin' });
    const file = this.files.resolve(relative);
    if (file.kind === 'not-built') {
      response
        .status(503)
        .type('application/problem+json')
        .send({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: `the studio is not built (no ${file.dist}): run \`npm run build\`` });
      return;
    }
    if (file.kind === 'missing') {
      response.status(404).type('application/problem+json').send({ type: 'about:blank', title: 'Not Found', status: 404, detail: `no studio file ${relative}` });
      return;
    }
    response.sendFile(file.path, { cacheControl: false, dotfiles: 'deny', headers: { 'Cache-Control': file.cacheControl } });
  }
}
