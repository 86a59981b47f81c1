import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiFoundResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/principal';
import { TrackingService } from './tracking.service';

/** A transparent 1×1 GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** Mail clients and proxies must ask again for every view, or later opens are never seen. */
const NO_STORE = { 'Cache-Control': 'no-store, no-cache, must-revalidate, max-age=0', Pragma: 'no-cache', Expires: '0' };

/**
 * `GET /t/o/:token` (open pixel) and `GET /t/c/:token` (click redirect) from CONTRACT.md: public,
 * the token is the only key. HEAD answers the same and records nothing (link checkers, scanners).
 */
@ApiTags('tracking')
@Controller('t')
export class TrackingController {
  constructor(private readonly tracking: TrackingService) {}

  @Public()
  @Get('o/:token')
  @ApiOperation({ summary: 'Open pixel: records an open of the message and answers a 1×1 GIF, also for a bad token' })
  @ApiProduces('image/gif')
  @ApiOkResponse({ description: 'a transparent 1×1 GIF, never cached' })
  async open(@Param('token') token: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.tracking.open(token, request.method === 'GET');
    response.status(200).set({ ...NO_STORE, 'Content-Type': 'image/gif', 'Content-Length': String(PIXEL.length) }).end(PIXEL);
  }

  @Public()
  @Get('c/:token')
  @ApiOperation({ summary: "Click redirect: records a click and redirects to the link of the message's own that the token names" })
  @ApiFoundResponse({ description: 'Location: the link as the message had it' })
  @ApiNotFoundResponse({ description: 'a bad token, or a link the message does not have (problem+json)' })
  async click(@Param('token') token: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const url = await this.tracking.click(token, request.method === 'GET');
    // The token stays here: the site linked to does not see it as the referrer.
    response.set({ ...NO_STORE, 'Referrer-Policy': 'no-referrer' }).redirect(302, url);
  }
}
