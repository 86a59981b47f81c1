import { defineChannel } from '@forecourt/sdk';
import { DEFAULT_PRICE_PER_PAGE_CENTS, LetterClient, LetterSettings } from './letter.channel';

export { CHROMIUM_ARGS, launchChromium, resolveChromium, SYSTEM_CHROMIUM_PATHS } from './chromium';
export type { ChromiumSource, LaunchedChromium, ResolvedChromium } from './chromium';
export { LetterClient } from './letter.channel';
export type { LetterSettings, SingleLetter } from './letter.channel';
export type { LetterSender } from './letter.layout';

/** Letters by post: a day's letters per dealer become one PDF print file, priced per page. */
export default defineChannel<LetterSettings>({
  channel: 'letter',
  reach: 'postal-address',
  consentChannel: 'letter',
  unitCostCents: DEFAULT_PRICE_PER_PAGE_CENTS,
  batched: true,
  createClient: (context) => new LetterClient(context.settings, context.logger, context.clock),
});
