import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { publicOnlyLookup } from './webhook-address';

export interface WebhookPost {
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Aborts the request (the worker is stopping). */
  signal: AbortSignal;
  /** Also connect to addresses in the server's own network (FORECOURT_WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean;
}

/**
 * POSTs a webhook and answers the HTTP status, the body read and dropped. A redirect is not
 * followed: the signed request goes only to the configured URL. node:http rather than fetch, for
 * its `lookup`: the address actually connected to is checked (webhook-address.ts). A receiver
 * that has not answered within `timeoutMs` fails with a `TimeoutError`.
 */
export function postWebhook(url: string, post: WebhookPost): Promise<number> {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const timeout = AbortSignal.timeout(post.timeoutMs);
    const signal = AbortSignal.any([post.signal, timeout]);
    const fail = (error: Error) => reject(timeout.aborted ? Object.assign(new Error('timed out'), { name: 'TimeoutError' }) : error);
    const req = request(
      target,
      {
        method: 'POST',
        headers: { ...post.headers, 'Content-Length': String(Buffer.byteLength(post.body)) },
        signal,
        lookup: post.allowPrivate ? undefined : publicOnlyLookup,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    req.end(post.body);
  });
}
