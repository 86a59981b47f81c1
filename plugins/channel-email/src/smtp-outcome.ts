import type { SendResult } from '@forecourt/sdk';

/** What nodemailer puts on its errors (SMTP reply, its own code, the command under way). */
export interface SmtpError {
  message?: string;
  code?: string;
  originalCode?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  timeoutType?: string;
}

/** Commands about this one message: a 5xx to them refuses the message, not the whole session. */
const MESSAGE_COMMANDS = new Set(['MAIL FROM', 'RCPT TO', 'DATA']);

/** nodemailer refused the message before talking to anyone (a bad address, too large). */
const REFUSED_LOCALLY = new Set(['EENVELOPE', 'EMESSAGE']);

function replyOf(e: SmtpError): string {
  return (e.response ?? '').replace(/\s+/g, ' ').trim() || `${e.responseCode}`;
}

function detailOf(e: SmtpError): string {
  if (e.timeoutType) return `${e.timeoutType.toLowerCase().replace(/_/g, ' ')}`;
  return e.originalCode ?? e.code ?? e.message ?? 'unknown error';
}

/**
 * What an SMTP error means for the message. `contentSent` says whether the server started to
 * read the message (DATA was accepted and the content went out): only then can it have the
 * email, so only then is a broken connection or a timeout an unknown outcome. A 5xx reply to the
 * message refuses it for good (the flow may fall back to a letter); a 4xx asks to try later.
 */
export function resultOfSmtpError(error: unknown, contentSent: boolean, timeoutSeconds: number): SendResult {
  const e = (error && typeof error === 'object' ? error : { message: String(error) }) as SmtpError;
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  if (e.code === 'EAUTH') {
    return { status: 'retry', reason: `the SMTP server refused the login (${code ? replyOf(e) : detailOf(e)}); the email settings need checking` };
  }
  if (code !== undefined && code >= 500 && code < 600) {
    if (e.command && MESSAGE_COMMANDS.has(e.command)) return { status: 'failed', reason: `the SMTP server refused the message: ${replyOf(e)}` };
    return { status: 'retry', reason: `the SMTP server refused the session (${e.command ?? 'CONN'}): ${replyOf(e)}` };
  }
  if (code !== undefined && code >= 400 && code < 500) return { status: 'retry', reason: `the SMTP server asked to try later: ${replyOf(e)}` };
  if (e.code && REFUSED_LOCALLY.has(e.code)) return { status: 'failed', reason: `the email cannot be sent: ${e.message ?? e.code}` };
  if (!contentSent) return { status: 'retry', reason: `the SMTP server could not be reached or dropped the connection before the message was sent (${detailOf(e)})` };
  if (e.code === 'ETIMEDOUT') {
    return { status: 'unknown', reason: `no answer from the SMTP server within ${timeoutSeconds}s after the message was sent (timeout); it may have been delivered` };
  }
  return { status: 'unknown', reason: `the connection to the SMTP server broke after the message was sent (${detailOf(e)}); it may have been delivered` };
}
