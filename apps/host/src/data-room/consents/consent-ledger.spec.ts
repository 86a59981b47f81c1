import { ConsentQuestion, decide, effectivePermissions, LedgerEntry, MESSAGE_CHANNELS, MESSAGE_PURPOSES } from './consent-ledger';

const V1 = '00000000-0000-4000-8000-000000000001';
const V2 = '00000000-0000-4000-8000-000000000002';

/** A ledger entry acted at `at` and, unless said otherwise, recorded the moment it was made. */
function entry(fields: Partial<Omit<LedgerEntry, 'actedAt' | 'recordedAt'>> & { at: string; recorded?: string }): LedgerEntry {
  return {
    channel: fields.channel ?? 'all',
    purpose: fields.purpose ?? 'all',
    vehicleId: fields.vehicleId ?? null,
    granted: fields.granted ?? true,
    source: fields.source ?? 'test',
    actedAt: new Date(fields.at),
    recordedAt: new Date(fields.recorded ?? fields.at),
  };
}

const ask = (channel: ConsentQuestion['channel'], purpose: ConsentQuestion['purpose'], vehicleId: string | null = null): ConsentQuestion => ({
  channel,
  purpose,
  vehicleId,
});

describe('consent ledger', () => {
  describe('defaults when nothing applies', () => {
    it('allows service messages and refuses marketing', () => {
      expect(decide([], ask('email', 'service'))).toEqual({ granted: true, basis: 'default' });
      expect(decide([], ask('sms', 'marketing'))).toEqual({ granted: false, basis: 'default' });
      expect(decide([], ask('letter', 'service', V1))).toEqual({ granted: true, basis: 'default' });
    });

    it('falls back to the default when the only entries are about something else', () => {
      const ledger = [entry({ channel: 'sms', purpose: 'service', granted: false, at: '2026-01-01T10:00:00Z' })];
      expect(decide(ledger, ask('email', 'service'))).toMatchObject({ granted: true, basis: 'default' });
      expect(decide(ledger, ask('sms', 'marketing'))).toMatchObject({ granted: false, basis: 'default' });
    });
  });

  describe('latest acted-at wins', () => {
    it('a later opt-out overrides an earlier opt-in, and a later opt-in an earlier opt-out', () => {
      const optIn = entry({ channel: 'email', purpose: 'marketing', granted: true, at: '2026-01-01T10:00:00Z' });
      const optOut = entry({ channel: 'email', purpose: 'marketing', granted: false, at: '2026-02-01T10:00:00Z' });
      const again = entry({ channel: 'email', purpose: 'marketing', granted: true, at: '2026-03-01T10:00:00Z' });
      expect(decide([optIn, optOut], ask('email', 'marketing'))).toMatchObject({ granted: false, basis: 'ledger', entry: optOut });
      expect(decide([optOut, optIn], ask('email', 'marketing'))).toMatchObject({ granted: false, entry: optOut });
      expect(decide([optIn, optOut, again], ask('email', 'marketing'))).toMatchObject({ granted: true, entry: again });
    });

    it('a later general statement overrides an earlier specific one', () => {
      const vehicleOn = entry({ channel: 'email', purpose: 'marketing', vehicleId: V1, granted: true, at: '2026-01-01T10:00:00Z' });
      const allOff = entry({ granted: false, at: '2026-02-01T10:00:00Z' });
      expect(decide([vehicleOn, allOff], ask('email', 'marketing', V1))).toMatchObject({ granted: false, entry: allOff });
    });

    it('an older record that arrives later never undoes a newer opt-out', () => {
      const optOut = entry({ channel: 'email', purpose: 'marketing', granted: false, at: '2026-05-01T10:00:00Z', recorded: '2026-05-01T10:00:01Z' });
      // A DMS import on 1 June carries the opt-in the customer gave in January.
      const staleImport = entry({ channel: 'email', purpose: 'marketing', granted: true, source: 'dms-import', at: '2026-01-15T09:00:00Z', recorded: '2026-06-01T02:00:00Z' });
      for (const ledger of [[optOut, staleImport], [staleImport, optOut]]) {
        expect(decide(ledger, ask('email', 'marketing'))).toMatchObject({ granted: false, entry: optOut });
      }
      // Nor does a stale, broader opt-in.
      const staleAll = entry({ granted: true, source: 'dms-import', at: '2026-01-15T09:00:00Z', recorded: '2026-06-02T02:00:00Z' });
      expect(decide([optOut, staleImport, staleAll], ask('email', 'marketing'))).toMatchObject({ granted: false, entry: optOut });
    });

    it('an older record that arrives later does decide where nothing newer applies', () => {
      const optOut = entry({ channel: 'email', purpose: 'marketing', granted: false, at: '2026-05-01T10:00:00Z' });
      const staleImport = entry({ channel: 'sms', purpose: 'marketing', granted: true, at: '2026-01-15T09:00:00Z', recorded: '2026-06-01T02:00:00Z' });
      expect(decide([optOut, staleImport], ask('sms', 'marketing'))).toMatchObject({ granted: true, entry: staleImport });
    });
  });

  describe('statements made at the same moment', () => {
    const at = '2026-04-01T12:00:00Z';

    it('are resolved by specificity: all off, except this vehicle', () => {
      const allOff = entry({ granted: false, at });
      const vehicleOn = entry({ vehicleId: V1, granted: true, at });
      for (const ledger of [[allOff, vehicleOn], [vehicleOn, allOff]]) {
        for (const channel of MESSAGE_CHANNELS) {
          for (const purpose of MESSAGE_PURPOSES) {
            expect(decide(ledger, ask(channel, purpose, V1))).toMatchObject({ granted: true, entry: vehicleOn });
            expect(decide(ledger, ask(channel, purpose, V2))).toMatchObject({ granted: false, entry: allOff });
            expect(decide(ledger, ask(channel, purpose, null))).toMatchObject({ granted: false, entry: allOff });
          }
        }
      }
    });

    it('a channel beats all channels, a purpose beats all purposes', () => {
      const allOff = entry({ granted: false, at });
      const emailOn = entry({ channel: 'email', granted: true, at });
      const serviceOn = entry({ purpose: 'service', granted: true, at });
      expect(decide([emailOn, allOff], ask('email', 'marketing'))).toMatchObject({ granted: true, entry: emailOn });
      expect(decide([emailOn, allOff], ask('sms', 'marketing'))).toMatchObject({ granted: false, entry: allOff });
      expect(decide([serviceOn, allOff], ask('letter', 'service'))).toMatchObject({ granted: true, entry: serviceOn });
      expect(decide([serviceOn, allOff], ask('letter', 'marketing'))).toMatchObject({ granted: false, entry: allOff });
    });

    it('a statement made even a millisecond later still wins over a more specific one', () => {
      const vehicleOn = entry({ vehicleId: V1, granted: true, at });
      const allOff = entry({ granted: false, at: '2026-04-01T12:00:00.001Z' });
      expect(decide([vehicleOn, allOff], ask('email', 'service', V1))).toMatchObject({ granted: false, entry: allOff });
    });
  });

  describe('scope', () => {
    it('a vehicle-level opt-out does not touch other vehicles nor the customer as a whole', () => {
      const v1Off = entry({ channel: 'email', purpose: 'service', vehicleId: V1, granted: false, at: '2026-03-01T10:00:00Z' });
      expect(decide([v1Off], ask('email', 'service', V1))).toMatchObject({ granted: false, basis: 'ledger' });
      expect(decide([v1Off], ask('email', 'service', V2))).toMatchObject({ granted: true, basis: 'default' });
      expect(decide([v1Off], ask('email', 'service', null))).toMatchObject({ granted: true, basis: 'default' });
      expect(decide([v1Off], ask('sms', 'service', V1))).toMatchObject({ granted: true, basis: 'default' });
    });

    it("a customer-level statement applies to each of the customer's vehicles", () => {
      const emailOff = entry({ channel: 'email', purpose: 'service', granted: false, at: '2026-03-01T10:00:00Z' });
      expect(decide([emailOff], ask('email', 'service', V1))).toMatchObject({ granted: false, entry: emailOff });
      expect(decide([emailOff], ask('email', 'service', V2))).toMatchObject({ granted: false, entry: emailOff });
    });

    it("channel 'all' and purpose 'all' apply to every channel and every purpose", () => {
      const allOn = entry({ channel: 'all', purpose: 'all', granted: true, at: '2026-03-01T10:00:00Z' });
      const smsAllOff = entry({ channel: 'sms', purpose: 'all', granted: false, at: '2026-03-02T10:00:00Z' });
      const allMarketingOff = entry({ channel: 'all', purpose: 'marketing', granted: false, at: '2026-03-03T10:00:00Z' });
      for (const channel of MESSAGE_CHANNELS) {
        for (const purpose of MESSAGE_PURPOSES) {
          expect(decide([allOn], ask(channel, purpose))).toMatchObject({ granted: true, entry: allOn });
          expect(decide([allOn, smsAllOff], ask(channel, purpose)).granted).toBe(channel !== 'sms');
          expect(decide([allOn, smsAllOff, allMarketingOff], ask(channel, purpose)).granted).toBe(channel !== 'sms' && purpose !== 'marketing');
        }
      }
    });
  });

  describe('effective permissions', () => {
    it('lists every channel × purpose for the customer and for each vehicle the ledger names', () => {
      const at = '2026-04-01T12:00:00Z';
      const ledger = [entry({ granted: false, at }), entry({ vehicleId: V1, channel: 'email', purpose: 'service', granted: true, at })];
      const effective = effectivePermissions(ledger);
      expect(effective).toHaveLength(2 * MESSAGE_CHANNELS.length * MESSAGE_PURPOSES.length);
      const granted = effective.filter((e) => e.granted).map(({ channel, purpose, vehicleId }) => ({ channel, purpose, vehicleId }));
      expect(granted).toEqual([{ channel: 'email', purpose: 'service', vehicleId: V1 }]);
    });

    it('falls back to defaults for an empty ledger', () => {
      const effective = effectivePermissions([]);
      expect(effective).toHaveLength(MESSAGE_CHANNELS.length * MESSAGE_PURPOSES.length);
      expect(effective.every((e) => e.basis === 'default' && e.granted === (e.purpose === 'service') && e.vehicleId === null)).toBe(true);
    });
  });
});

describe('a dead heat', () => {
  it('goes to the refusal when time and specificity are equal', () => {
    const at = new Date('2026-05-01T10:00:00Z');
    const yes: LedgerEntry = { channel: 'email', purpose: 'service', vehicleId: null, granted: true, source: 'crm', actedAt: at, recordedAt: new Date('2026-05-02T00:00:00Z') };
    const no: LedgerEntry = { ...yes, granted: false, recordedAt: at };
    expect(decide([yes, no], { channel: 'email', purpose: 'service', vehicleId: null }).granted).toBe(false);
    expect(decide([no, yes], { channel: 'email', purpose: 'service', vehicleId: null }).granted).toBe(false);
  });
});
