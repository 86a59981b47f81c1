/**
 * Channels may throw these instead of returning a SendResult; the host maps them the same way.
 * Anything else thrown by a send counts as `unknown`: the host cannot tell whether it went out.
 */
export class PermanentSendError extends Error {
  readonly sendStatus = 'failed' as const;
}

export class TransientSendError extends Error {
  readonly sendStatus = 'retry' as const;
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export class UnknownOutcomeError extends Error {
  readonly sendStatus = 'unknown' as const;
}
