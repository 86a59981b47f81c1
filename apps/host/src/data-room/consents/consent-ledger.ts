import { ConsentChannel, ConsentPurpose } from './consent.entity';

export interface LedgerEntry {
  channel: ConsentChannel;
  purpose: ConsentPurpose;
  vehicleId: string | null;
  granted: boolean;
  source: string;
  actedAt: Date;
  recordedAt: Date;
}

export interface ConsentQuestion {
  channel: Exclude<ConsentChannel, 'all'>;
  purpose: Exclude<ConsentPurpose, 'all'>;
  vehicleId: string | null;
}

export interface ConsentDecision {
  granted: boolean;
  /** `ledger` when an entry decided, `default` when the customer never said anything that applies. */
  basis: 'ledger' | 'default';
  entry?: LedgerEntry;
}

export const MESSAGE_CHANNELS = ['email', 'sms', 'letter', 'phone'] as const;
export const MESSAGE_PURPOSES = ['service', 'marketing'] as const;

/**
 * Without any statement, service messages (inspection and maintenance reminders to existing
 * customers) rest on legitimate interest and may be sent until the customer objects; marketing
 * needs an opt-in.
 */
export function defaultPermission(purpose: ConsentQuestion['purpose']): boolean {
  return purpose === 'service';
}

function specificity(entry: LedgerEntry): number {
  return (entry.vehicleId ? 4 : 0) + (entry.channel !== 'all' ? 2 : 0) + (entry.purpose !== 'all' ? 1 : 0);
}

/**
 * The ledger's rule: of the entries that apply, the one the customer made last wins, judged by
 * when the customer acted, not by when we learnt of it, so an older record imported later never
 * undoes a newer opt-out. Statements made at the same moment (one save in the preference center)
 * are resolved by specificity: "no email, except for this car" means exactly that.
 * Pass only the entries made by the day a decision is for (a simulated past day must not see later statements).
 */
export function decide(entries: LedgerEntry[], question: ConsentQuestion): ConsentDecision {
  let winner: LedgerEntry | undefined;
  for (const entry of entries) {
    if (entry.channel !== 'all' && entry.channel !== question.channel) continue;
    if (entry.purpose !== 'all' && entry.purpose !== question.purpose) continue;
    if (entry.vehicleId !== null && entry.vehicleId !== question.vehicleId) continue;
    if (!winner || compare(entry, winner) > 0) winner = entry;
  }
  return winner
    ? { granted: winner.granted, basis: 'ledger', entry: winner }
    : { granted: defaultPermission(question.purpose), basis: 'default' };
}

/** Later wins; at the same moment the more specific; a dead heat goes to the refusal (the safe side). */
function compare(a: LedgerEntry, b: LedgerEntry): number {
  return (
    a.actedAt.getTime() - b.actedAt.getTime() ||
    specificity(a) - specificity(b) ||
    Number(b.granted) - Number(a.granted) ||
    a.recordedAt.getTime() - b.recordedAt.getTime()
  );
}

/** Every channel × purpose, for the customer as a whole and for each vehicle the ledger mentions. */
export function effectivePermissions(entries: LedgerEntry[]): (ConsentQuestion & ConsentDecision)[] {
  const vehicles = [null, ...new Set(entries.map((e) => e.vehicleId).filter((v): v is string => v !== null))];
  const out: (ConsentQuestion & ConsentDecision)[] = [];
  for (const vehicleId of vehicles) {
    for (const channel of MESSAGE_CHANNELS) {
      for (const purpose of MESSAGE_PURPOSES) {
        out.push({ channel, purpose, vehicleId, ...decide(entries, { channel, purpose, vehicleId }) });
      }
    }
  }
  return out;
}
