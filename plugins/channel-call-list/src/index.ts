import { defineChannel } from '@forecourt/sdk';
import { CallListClient, CallListSettings, DEFAULT_PRICE_PER_ENTRY_CENTS } from './call-list.channel';

export { CallListClient } from './call-list.channel';
export type { CallListSettings } from './call-list.channel';

/** The dealer's daily call list: an entry per message, outcomes posted back through the host's API. */
export default defineChannel<CallListSettings>({
  channel: 'call-list',
  reach: 'phone',
  consentChannel: 'phone',
  unitCostCents: DEFAULT_PRICE_PER_ENTRY_CENTS,
  createClient: (context) => new CallListClient(context.settings),
});
