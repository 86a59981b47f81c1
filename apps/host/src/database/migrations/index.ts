import { Foundation1732300000000 } from './1732300000000-foundation';
import { Plugins1732400000000 } from './1732400000000-plugins';
import { Campaigns1732700000000 } from './1732700000000-campaigns';

/** Every migration in order; listed here so the same build runs from dist and under jest. */
export const migrations = [Foundation1732300000000, Plugins1732400000000, Campaigns1732700000000];
