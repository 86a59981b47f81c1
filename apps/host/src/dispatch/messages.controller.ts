import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiPropertyOptional, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import type { Response } from 'express';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ParseIdPipe } from '../common/id.pipe';
import { fieldError } from '../common/problem';
import { PageQuery } from '../common/pagination';
import { MESSAGE_STATUSES, MessageStatus } from './message.types';
import { MessagesService } from './messages.service';

export class MessageQueryDto extends PageQuery {
  @ApiPropertyOptional({ description: 'email, sms, letter, call-list, …' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  channel?: string;

  @ApiPropertyOptional({ enum: MESSAGE_STATUSES })
  @IsOptional()
  @IsIn(MESSAGE_STATUSES)
  status?: MessageStatus;

  @ApiPropertyOptional({ description: 'the service that sent it, e.g. inspection-reminder' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  serviceKey?: string;

  @ApiPropertyOptional({ description: "the customer's external id in the dealer's data room" })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  customerExternalId?: string;
}

@ApiTags('messages')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  /** The dealer's messages, newest first, with status, cost and whether they went to the sandbox. */
  @Get('dealers/:dealerId/messages')
  list(@CurrentPrincipal() principal: Principal, @Param('dealerId', ParseIdPipe) dealerId: string, @Query() query: MessageQueryDto) {
    return this.messages.list(principal, dealerId, query);
  }

  /** The rendered message: HTML for email and letters, plain text for SMS. */
  @Get('messages/:messageId/content')
  @ApiProduces('text/html', 'text/plain')
  @ApiQuery({ name: 'tracking', required: false, enum: ['true', 'false'], description: '`false`: without the open pixel and click tracking, for showing it to a person (default `true`: as sent)' })
  @ApiOkResponse({ description: 'the message as it was sent' })
  async content(
    @CurrentPrincipal() principal: Principal,
    @Param('messageId', ParseIdPipe) messageId: string,
    @Query('tracking') tracking: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    if (tracking !== undefined && tracking !== 'true' && tracking !== 'false') throw fieldError('tracking', 'must be true or false');
    const content = await this.messages.content(principal, messageId, tracking !== 'false');
    response.setHeader('Content-Type', content.contentType);
    response.setHeader('Content-Security-Policy', "default-src 'none'; img-src * data:; style-src 'unsafe-inline'; font-src * data:");
    if (content.subject) response.setHeader('X-Message-Subject', encodeURIComponent(content.subject));
    return content.body;
  }
}
