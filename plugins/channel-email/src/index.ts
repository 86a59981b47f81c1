import { defineChannel } from '@forecourt/sdk';
import { createEmailClient, EmailSettings } from './email.channel';

export { domainOf, isEmailAddress, mailOf, messageIdFor, SandboxEmailClient, SmtpEmailClient } from './email.channel';
export type { EmailSettings } from './email.channel';
export { resultOfSmtpError } from './smtp-outcome';

/** Email over SMTP (nodemailer, pooled); the sandbox outbox without an SMTP URL. */
export default defineChannel<EmailSettings>({
  channel: 'email',
  reach: 'email',
  consentChannel: 'email',
  unitCostCents: 0,
  createClient: createEmailClient,
});
