import { decide, LedgerEntry } from '../data-room/consents/consent-ledger';
import { effective, ledgerStatements, normalisePhone, Statement } from './preferences.service';

const V1 = 'v-1';
const V2 = 'v-2';
const vehicles = [
  { id: V1, externalId: 'F1', model: 'Cargo', plate: 'VX101F' },
  { id: V2, externalId: 'F2', model: 'City', plate: 'VX202F' },
];
const CHANNELS = ['email', 'sms', 'letter', 'phone'];

/** The ledger after the statements, made one second after everything before. */
function apply(ledger: LedgerEntry[], statements: Statement[]): LedgerEntry[] {
  const at = new Date((ledger.at(-1)?.actedAt.getTime() ?? Date.UTC(2026, 0, 1)) + 1000);
  return [...ledger, ...statements.map((s) => ({ ...s, source: 'preference-center', actedAt: at, recordedAt: at }))];
}

function chosen(choice: { nothing?: boolean; channels?: string[]; purposes?: string[]; vehicles?: string[] }) {
  return {
    nothing: choice.nothing ?? false,
    channels: new Set(choice.channels ?? CHANNELS),
    purposes: new Set(choice.purposes ?? ['service']),
    vehicles: new Set(choice.vehicles ?? [V1, V2]),
  };
}

function save(ledger: LedgerEntry[], choice: Parameters<typeof chosen>[0]): { statements: Statement[]; ledger: LedgerEntry[] } {
  const statements = ledgerStatements({ vehicles }, effective({ ledger, vehicles }), chosen(choice));
  return { statements, ledger: apply(ledger, statements) };
}

describe('preference center: from the form to ledger statements', () => {
  it('shows the ledger default: service on every channel, marketing off, every vehicle on', () => {
    const now = effective({ ledger: [], vehicles });
    expect(now).toEqual({
      nothing: false,
      channels: { email: true, sms: true, letter: true, phone: true },
      purposes: { service: true, marketing: false },
      vehicles: new Map([
        [V1, true],
        [V2, true],
      ]),
    });
  });

  it('writes nothing for an unchanged form', () => {
    expect(save([], {}).statements).toEqual([]);
  });

  it('writes an unticked vehicle as that vehicle, every channel and purpose, refused: the other vehicle keeps its messages', () => {
    const { statements, ledger } = save([], { vehicles: [V2] });
    expect(statements).toEqual([{ channel: 'all', purpose: 'all', vehicleId: V1, granted: false }]);
    expect(decide(ledger, { channel: 'email', purpose: 'service', vehicleId: V1 }).granted).toBe(false);
    expect(decide(ledger, { channel: 'email', purpose: 'service', vehicleId: V2 }).granted).toBe(true);
  });

  it('writes an unticked channel for every purpose and an unticked purpose for every channel', () => {
    expect(save([], { channels: ['email', 'letter', 'phone'] }).statements).toEqual([{ channel: 'sms', purpose: 'all', vehicleId: null, granted: false }]);
    expect(save([], { purposes: [] }).statements).toEqual([{ channel: 'all', purpose: 'service', vehicleId: null, granted: false }]);
  });

  it('writes "nothing more" as channel all, purpose all, refused, whatever else is ticked', () => {
    const { statements, ledger } = save([], { nothing: true });
    expect(statements).toEqual([{ channel: 'all', purpose: 'all', vehicleId: null, granted: false }]);
    expect(effective({ ledger, vehicles }).nothing).toBe(true);
    expect(save(ledger, { nothing: true }).statements).toEqual([]);
  });

  it('grants only what the page shows ticked, and keeps unticked vehicles refused when granting wider', () => {
    const first = save([], { vehicles: [V2] });
    const { statements, ledger } = save(first.ledger, { purposes: ['service', 'marketing'], channels: ['email'], vehicles: [V2] });
    expect(statements).toEqual(
      expect.arrayContaining([
        { channel: 'sms', purpose: 'all', vehicleId: null, granted: false },
        { channel: 'email', purpose: 'marketing', vehicleId: null, granted: true },
        { channel: 'all', purpose: 'all', vehicleId: V1, granted: false },
      ]),
    );
    expect(decide(ledger, { channel: 'email', purpose: 'marketing', vehicleId: V2 }).granted).toBe(true);
    expect(decide(ledger, { channel: 'email', purpose: 'marketing', vehicleId: V1 }).granted).toBe(false);
    expect(decide(ledger, { channel: 'sms', purpose: 'marketing', vehicleId: null }).granted).toBe(false);
  });

  it('after "nothing more", ticking a channel and purpose grants that pair only', () => {
    const off = save([], { nothing: true });
    const { statements, ledger } = save(off.ledger, { channels: ['email'], purposes: ['service'], vehicles: [V1, V2] });
    expect(statements).toEqual(
      expect.arrayContaining([
        { channel: 'email', purpose: 'service', vehicleId: null, granted: true },
        { channel: 'email', purpose: 'service', vehicleId: V1, granted: true },
        { channel: 'email', purpose: 'service', vehicleId: V2, granted: true },
      ]),
    );
    expect(decide(ledger, { channel: 'email', purpose: 'service', vehicleId: V1 }).granted).toBe(true);
    expect(decide(ledger, { channel: 'email', purpose: 'marketing', vehicleId: V1 }).granted).toBe(false);
    expect(decide(ledger, { channel: 'letter', purpose: 'service', vehicleId: null }).granted).toBe(false);
  });
});

describe('normalisePhone', () => {
  it('reads what people type as E.164, empty as none, anything else as an error', () => {
    expect(normalisePhone('+31 6 1234 5678')).toBe('+31612345678');
    expect(normalisePhone('0049 (170) 123-4567')).toBe('+491701234567');
    expect(normalisePhone('+49.30/1234567')).toBe('+49301234567');
    expect(normalisePhone('  ')).toBeNull();
    expect(normalisePhone(undefined)).toBeNull();
    expect(normalisePhone('06 12345678')).toBeUndefined();
    expect(normalisePhone('call me')).toBeUndefined();
    expect(normalisePhone('+0123456789')).toBeUndefined();
  });
});
