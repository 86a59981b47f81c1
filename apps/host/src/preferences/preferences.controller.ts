import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { ServerResponse } from 'node:http';
import { Public } from '../auth/principal';
import { PAGE_HEADERS } from './preference-page';
import { PageAnswer, PreferenceForm, PreferencesService } from './preferences.service';

/**
 * The public pages of CONTRACT.md: the preference center (`/p/:token`), one-click unsubscribe
 * (`/u/:token`, RFC 8058) and the confirmation of a new email address (`/p/confirm/:token`). No
 * login: the signed token is the only key. GET and HEAD never change anything (mail scanners
 * follow links). GET and HEAD of `/p/:token` itself are answered ahead of the app (preference-page.lane.ts).
 */
@ApiExcludeController()
@Controller()
export class PreferencesController {
  constructor(private readonly preferences: PreferencesService) {}

  @Public()
  @Get('p/confirm/:token')
  async confirmPage(@Param('token') token: string, @Res() response: Response): Promise<void> {
    send(response, await this.preferences.confirmPage(token));
  }

  @Public()
  @Post('p/confirm/:token')
  async confirm(@Param('token') token: string, @Res() response: Response): Promise<void> {
    send(response, await this.preferences.confirm(token));
  }

  @Public()
  @Post('p/:token')
  async save(@Param('token') token: string, @Body() form: PreferenceForm, @Res() response: Response): Promise<void> {
    send(response, await this.preferences.save(token, form ?? {}));
  }

  @Public()
  @Get('u/:token')
  async oneClickPage(@Param('token') token: string, @Res() response: Response): Promise<void> {
    send(response, await this.preferences.oneClickPage(token));
  }

  /** Any body is accepted (RFC 8058 sends `List-Unsubscribe=One-Click`); no CSRF token, no login. */
  @Public()
  @Post('u/:token')
  @HttpCode(200)
  async oneClick(@Param('token') token: string, @Res() response: Response): Promise<void> {
    send(response, await this.preferences.oneClick(token));
  }
}

/** Straight to Node's response: no ETag to hash (the page is never cached) and no header parsing. HEAD sends no body. */
export function send(response: ServerResponse, answer: PageAnswer): void {
  if ('redirect' in answer) {
    response.writeHead(303, { ...PAGE_HEADERS, Location: answer.redirect, 'Content-Length': '0' }).end();
    return;
  }
  response.writeHead(answer.status, { ...PAGE_HEADERS, 'Content-Length': String(Buffer.byteLength(answer.html)) }).end(answer.html);
}
