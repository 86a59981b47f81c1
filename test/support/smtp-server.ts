import PostalMime from 'postal-mime';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: Buffer;
  at: Date;
}

export interface LoopbackSmtpOptions {
  /** Recipients answered with this reply to RCPT TO, `times` times (default: always). */
  reject?: Record<string, { code: number; message: string; times?: number }>;
  /** Recipients whose message is read to the end and then never answered (the client times out after DATA). */
  stallAfterData?: string[];
  /** Delay before answering each DATA, in ms. */
  dataDelayMs?: number;
}

export interface LoopbackSmtp {
  url: string;
  port: number;
  /** Messages accepted (250 after DATA), in order. */
  received: ReceivedMail[];
  /** Messages read in full but never answered. */
  stalled: ReceivedMail[];
  /** RCPT TO replies given, per recipient: `250` or the rejection code. */
  rcptReplies: { to: string; code: number }[];
  options: LoopbackSmtpOptions;
  parse(mail: ReceivedMail): Promise<PostalMime.Email>;
  /** Every accepted recipient address with how often it was accepted. */
  deliveriesByAddress(): Map<string, number>;
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real SMTP server on 127.0.0.1 and a free port (the `smtp-server` package), collecting what it
 * accepts. Options make it answer a 4xx or 5xx to chosen recipients, or stall after their DATA.
 */
export async function startSmtpServer(options: LoopbackSmtpOptions = {}): Promise<LoopbackSmtp> {
  const received: ReceivedMail[] = [];
  const stalled: ReceivedMail[] = [];
  const rcptReplies: { to: string; code: number }[] = [];
  const rejectedTimes = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    logger: false,
    size: 20 * 1024 * 1024,
    maxClients: 1000,
    // Stalled sessions are cut this soon after stop().
    closeTimeout: 500,
    onRcptTo(address, _session, callback) {
      const to = address.address.toLowerCase();
      const rule = state.options.reject?.[to];
      const times = rejectedTimes.get(to) ?? 0;
      if (rule && times < (rule.times ?? Infinity)) {
        rejectedTimes.set(to, times + 1);
        rcptReplies.push({ to, code: rule.code });
        const error = new Error(rule.message) as Error & { responseCode: number };
        error.responseCode = rule.code;
        return callback(error);
      }
      rcptReplies.push({ to, code: 250 });
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const mail: ReceivedMail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          raw: Buffer.concat(chunks),
          at: new Date(),
        };
        if (mail.to.some((to) => state.options.stallAfterData?.includes(to))) {
          stalled.push(mail);
          return;
        }
        const answer = () => {
          received.push(mail);
          callback(null, 'queued');
        };
        if (state.options.dataDelayMs) setTimeout(answer, state.options.dataDelayMs);
        else answer();
      });
    },
  });
  const state = { options };
  server.on('error', () => undefined);
  server.on('connect', () => undefined);
  const port = await new Promise<number>((resolve, reject) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.server.address();
      if (address && typeof address === 'object') resolve(address.port);
      else reject(new Error('SMTP server has no port'));
    });
  });
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    received,
    stalled,
    rcptReplies,
    get options() {
      return state.options;
    },
    set options(value: LoopbackSmtpOptions) {
      state.options = value;
    },
    parse: (mail) => PostalMime.parse(mail.raw),
    deliveriesByAddress() {
      const counts = new Map<string, number>();
      for (const mail of received) for (const to of mail.to) counts.set(to, (counts.get(to) ?? 0) + 1);
      return counts;
    },
    async waitFor(count, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`SMTP server got ${received.length} of ${count} messages in ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}
