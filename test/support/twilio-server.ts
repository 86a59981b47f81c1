import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import twilio from 'twilio';

/** What the stand-in does with a message to a given number, instead of taking it. */
export type TwilioBehaviour =
  /** 400, code 21211: the 'To' number is not a valid phone number. */
  | 'invalid'
  /** 400, code 21610: the recipient replied STOP. */
  | 'unsubscribed'
  /** 429, code 20429: too many requests. */
  | 'rate-limit'
  /** 503: Twilio cannot take it now. */
  | 'unavailable'
  /** Takes the message (it gets a sid) and never answers: the client times out after sending. */
  | 'hang'
  /** Never answers and never takes the message: the request was lost before Twilio got it. */
  | 'drop';

export interface TwilioMessage {
  sid: string;
  accountSid: string;
  to: string;
  from?: string;
  messagingServiceSid?: string;
  body: string;
  statusCallback?: string;
  /** True when the stand-in took the message and left the request unanswered. */
  hung: boolean;
  /** When it was taken; the list answers newest first. */
  createdAt?: Date;
  /** Its last status: queued when taken, then what deliverStatus reported. */
  status?: string;
}

export interface TwilioRequestLog {
  method: string;
  path: string;
  /** The account and token of the Basic authorization, or undefined without one. */
  auth?: { username: string; password: string };
  form: Record<string, string>;
  /** The query string's fields (the filters of a list). */
  query: Record<string, string>;
  status: number;
}

export interface SignedCallback {
  url: string;
  params: Record<string, string>;
  signature: string;
}

export interface TwilioStandIn {
  /** Base URL to give the SDK (TWILIO_API_URL). */
  url: string;
  accountSid: string;
  authToken: string;
  /** Messages taken (given a sid), in order. */
  messages: TwilioMessage[];
  requests: TwilioRequestLog[];
  /** By recipient number: what happens to a message to it (a number not named is taken). */
  behaviour: Map<string, TwilioBehaviour>;
  /** A status callback for a message as Twilio posts it: the form fields and the X-Twilio-Signature over URL and fields. */
  statusCallback(message: TwilioMessage, status: string, extra?: Record<string, string>, url?: string): SignedCallback;
  /** Posts a status callback the way Twilio does (form-encoded, signed) and answers the HTTP status. */
  deliverStatus(message: TwilioMessage, status: string, extra?: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

function twilioError(response: ServerResponse, status: number, code: number, message: string): number {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }));
  return status;
}

function basicAuth(request: IncomingMessage): TwilioRequestLog['auth'] {
  const match = /^Basic (.+)$/.exec(request.headers.authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Twilio's dates: RFC 2822 with a numeric zone. */
const rfc2822 = (date: Date) => date.toUTCString().replace('GMT', '+0000');

/** The message resource as Twilio's API answers it. */
function resource(message: TwilioMessage): Record<string, unknown> {
  const created = rfc2822(message.createdAt ?? new Date());
  return {
    account_sid: message.accountSid,
    api_version: '2010-04-01',
    body: message.body,
    date_created: created,
    date_sent: null,
    date_updated: created,
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: message.from ?? null,
    messaging_service_sid: message.messagingServiceSid ?? null,
    num_media: '0',
    num_segments: String(Math.max(1, Math.ceil(message.body.length / 153))),
    price: null,
    price_unit: 'USD',
    sid: message.sid,
    status: message.status ?? 'queued',
    subresource_uris: { media: `/2010-04-01/Accounts/${message.accountSid}/Messages/${message.sid}/Media.json` },
    to: message.to,
    uri: `/2010-04-01/Accounts/${message.accountSid}/Messages/${message.sid}.json`,
  };
}

/**
 * A Twilio-shaped REST API on loopback for the real twilio SDK: `POST
 * /2010-04-01/Accounts/:sid/Messages.json` checks Basic auth against the account, refuses what
 * Twilio refuses (no To, a To that is not E.164, no Body) with Twilio's error JSON, and answers
 * 201 with the message resource (sid, status queued, num_segments, …). `GET` on the same path
 * lists the messages taken, newest first, filtered by To and From, one page of PageSize (default
 * 50) as Twilio pages them. `behaviour` makes chosen numbers fail the ways the real one can.
 */
export async function startTwilioServer(): Promise<TwilioStandIn> {
  const accountSid = `AC${hex(16)}`;
  const authToken = hex(16);
  const messages: TwilioMessage[] = [];
  const requests: TwilioRequestLog[] = [];
  const behaviour = new Map<string, TwilioBehaviour>();
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();

  const list = (response: ServerResponse, query: Record<string, string>): number => {
    const pageSize = Math.min(1000, Math.max(1, Number(query.PageSize) || 50));
    const found = messages
      .filter((m) => (!query.To || m.to === query.To) && (!query.From || m.from === query.From))
      .reverse()
      .slice(0, pageSize);
    const uri = `/2010-04-01/Accounts/${accountSid}/Messages.json?${new URLSearchParams({ ...query, PageSize: String(pageSize), Page: '0' })}`;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        end: Math.max(0, found.length - 1),
        first_page_uri: uri,
        messages: found.map(resource),
        next_page_uri: null,
        page: 0,
        page_size: pageSize,
        previous_page_uri: null,
        start: 0,
        uri,
      }),
    );
    return 200;
  };

  const handle = (request: IncomingMessage, response: ServerResponse, raw: string): number => {
    const form = Object.fromEntries(new URLSearchParams(raw));
    const auth = basicAuth(request);
    const [path, search = ''] = (request.url ?? '').split('?');
    const query = Object.fromEntries(new URLSearchParams(search));
    const log: TwilioRequestLog = { method: request.method ?? '', path, auth, form, query, status: 0 };
    requests.push(log);
    const route = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(path);
    if (!route || (request.method !== 'POST' && request.method !== 'GET')) {
      return (log.status = twilioError(response, 404, 20404, 'The requested resource was not found'));
    }
    if (auth?.username !== accountSid || auth.password !== authToken || route[1] !== accountSid) {
      return (log.status = twilioError(response, 401, 20003, 'Authenticate'));
    }
    if (request.method === 'GET') return (log.status = list(response, query));
    const to = form.To;
    if (!to) return (log.status = twilioError(response, 400, 21604, "A 'To' phone number is required."));
    const rule = behaviour.get(to);
    if (rule === 'invalid' || !/^\+[1-9]\d{1,14}$/.test(to)) {
      return (log.status = twilioError(response, 400, 21211, `The 'To' number ${to} is not a valid phone number.`));
    }
    if (rule === 'unsubscribed') return (log.status = twilioError(response, 400, 21610, 'Attempt to send to unsubscribed recipient'));
    if (rule === 'rate-limit') return (log.status = twilioError(response, 429, 20429, 'Too Many Requests'));
    if (rule === 'unavailable') return (log.status = twilioError(response, 503, 20503, 'Service Unavailable'));
    if (!form.Body) return (log.status = twilioError(response, 400, 21602, 'Message body is required.'));
    if (!form.From && !form.MessagingServiceSid) return (log.status = twilioError(response, 400, 21603, "A 'From' phone number is required."));
    if (rule === 'drop') {
      hanging.add(response);
      return (log.status = -1);
    }
    const message: TwilioMessage = {
      sid: `SM${hex(16)}`,
      accountSid,
      to,
      from: form.From,
      messagingServiceSid: form.MessagingServiceSid,
      body: form.Body,
      statusCallback: form.StatusCallback,
      hung: rule === 'hang',
      createdAt: new Date(),
      status: 'queued',
    };
    messages.push(message);
    if (rule === 'hang') {
      hanging.add(response);
      return (log.status = -1);
    }
    response.writeHead(201, { 'content-type': 'application/json' });
    response.end(JSON.stringify(resource(message)));
    return (log.status = 201);
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, response, Buffer.concat(chunks).toString('utf8')));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const statusCallback = (message: TwilioMessage, status: string, extra: Record<string, string> = {}, url = message.statusCallback): SignedCallback => {
    if (!url) throw new Error(`message ${message.sid} was sent without a StatusCallback`);
    const params: Record<string, string> = {
      SmsSid: message.sid,
      SmsStatus: status,
      MessageStatus: status,
      To: message.to,
      MessageSid: message.sid,
      AccountSid: accountSid,
      ...(message.from ? { From: message.from } : {}),
      ...(message.messagingServiceSid ? { MessagingServiceSid: message.messagingServiceSid } : {}),
      ApiVersion: '2010-04-01',
      ...extra,
    };
    return { url, params, signature: twilio.getExpectedTwilioSignature(authToken, url, params) };
  };

  return {
    url: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    messages,
    requests,
    behaviour,
    statusCallback,
    async deliverStatus(message, status, extra) {
      const callback = statusCallback(message, status, extra);
      message.status = status;
      const response = await fetch(callback.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': callback.signature, 'user-agent': 'TwilioProxy/1.1' },
        body: new URLSearchParams(callback.params).toString(),
      });
      await response.body?.cancel();
      return response.status;
    },
    async stop() {
      for (const response of hanging) response.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
