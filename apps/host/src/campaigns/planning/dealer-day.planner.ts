import type { Occasion, ServiceDefinition } from '@forecourt/sdk';
import { addDays } from '@forecourt/sdk';
import { Inject, Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { arrayLiteral } from '../../common/pg-array';
import { uuidv7 } from '../../common/uuidv7';
import { deriveKey, FORECOURT_CONFIG, ForecourtConfig } from '../../config/forecourt-config';
import { decide } from '../../data-room/consents/consent-ledger';
import { TenantDb } from '../../database/tenant-db.service';
import { NewMessage } from '../../dispatch/message.types';
import { OutboxService } from '../../dispatch/outbox.service';
import { decideSteps, DueAction, JourneyState, StepMark } from '../flows/flow-steps';
import { identityKeys, recipientGroups } from '../policies/duplicates';
import { consentChannelOf, reachProblem } from '../policies/reach';
import { holdUntil, zonedInstant } from '../policies/send-window';
import { ServiceCatalog } from '../services/service-catalog.service';
import { DealerService, ServiceSubscriptions } from '../services/service-subscriptions.service';
import { candidateCustomerIds, loadSnapshots } from './candidates';
import { byText, CustomerFacts, emptyFactsCache, FactsCache, JourneyFacts, loadJourneyFacts, loadVehicles } from './journey-facts';

/** Network-wide policy settings (documented in the README). */
export const PLANNING_POLICY = {
  /** Occasions of one customer and service falling due within this many days go out as one message. */
  bundleDays: 14,
  /** At most this many messages to one contact address per period, counted across every dealer. */
  frequencyCap: { messages: 3, days: 7 },
};

export interface DealerFacts {
  id: string;
  timezone: string;
  locale: string;
  brandIds: string[];
}

export interface DaySummary {
  occasions: number;
  messages: { total: number; byChannel: Record<string, number> };
  costCents: number;
  held: number;
  skipped: Record<string, number>;
}

interface StartedJourney {
  journey: JourneyState;
  occasion: Occasion;
}

interface Draft {
  key: string;
  service: DealerService;
  definition: ServiceDefinition;
  action: DueAction;
  channel: string;
  customer: CustomerFacts;
  journeys: JourneyState[];
  vehicleIds: string[];
  dueDate: string;
  contactHash: string;
}

const SNAPSHOT_BATCH = 2000;

/** Thrown at the end of a dry run to roll its transaction back, carrying what it would have done. */
class DryRunRollback extends Error {
  constructor(readonly summary: DaySummary) {
    super('dry run');
  }
}

/**
 * Plans one dealer's day: triggers find occasions, journeys advance, and the policies run in
 * this order, each recording why it skipped what it skipped:
 *  1. consent (channel × purpose × vehicle, from the ledger) and reach, choosing the first usable
 *     channel of the step's list (the next one after a permanent failure);
 *  2. bundling: due occasions of one customer and service within bundleDays become one message;
 *  3. fleet consolidation: a company gets one message listing every due vehicle it still wants
 *     messages about;
 *  4. duplicates: customer records sharing an email, phone, or name and postal code are one recipient;
 *  5. frequency cap per contact address and period, counted across dealers by a keyed hash;
 *  6. send windows and quiet hours in the dealer's time zone;
 *  7. the monthly budget: what does not fit is held and reported, never sent.
 * A booked appointment stops reminders before any of this (see decideSteps).
 */
@Injectable()
export class DealerDayPlanner {
  private readonly contactKey: Buffer;

  constructor(
    private readonly tenant: TenantDb,
    private readonly catalog: ServiceCatalog,
    private readonly subscriptions: ServiceSubscriptions,
    private readonly outbox: OutboxService,
    @Inject(FORECOURT_CONFIG) config: ForecourtConfig,
  ) {
    this.contactKey = deriveKey(config, 'contact-frequency');
  }

  async plan(runId: string, dealer: DealerFacts, asOf: string, dryRun: boolean, now = new Date()): Promise<DaySummary> {
    const services = (await this.subscriptions.forDealer(dealer.id)).filter((s) => s.enabled);
    const spent = await this.subscriptions.spendThisMonth(dealer.id, asOf);
    const summary: DaySummary = { occasions: 0, messages: { total: 0, byChannel: {} }, costCents: 0, held: 0, skipped: {} };
    const skip = (reason: string) => (summary.skipped[reason] = (summary.skipped[reason] ?? 0) + 1);

    return this.tenant.run(dealer.id, async (m): Promise<DaySummary> => {
      // Two runs for the same dealer at once take turns; the second finds everything done.
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`plan:${dealer.id}`]);
      const ahead = new Map<string, { service: string; occasion: Occasion }[]>();
      const started: StartedJourney[] = [];
      const cache = emptyFactsCache();
      for (const service of services) {
        const entry = this.catalog.service(service.key);
        const found = await this.findOccasions(m, dealer, entry.definition, service.settings, asOf, cache);
        const fresh = await this.startJourneys(m, service.key, found.now, asOf);
        started.push(...fresh);
        summary.occasions += fresh.length;
        for (const occasion of found.ahead) {
          if (!ahead.has(occasion.customerId)) ahead.set(occasion.customerId, []);
          ahead.get(occasion.customerId)!.push({ service: service.key, occasion });
        }
      }
      const byKey = new Map(services.map((s) => [s.key, s]));
      const facts = await loadJourneyFacts(m, services.map((s) => s.key), dealer.timezone, zonedInstant(addDays(asOf, 1), 0, dealer.timezone), started.map((s) => s.journey), cache);
      const journeyUpdates = new Map<string, { steps: Record<string, StepMark>; state?: string; reason?: string }>();
      const skips: { journeyId: string; customerId: string; serviceKey: string; step: string; channel?: string; reason: string }[] = [];
      const markStep = (j: JourneyState, stepKey: string, mark: StepMark) => {
        const update = journeyUpdates.get(j.id) ?? { steps: { ...j.steps } };
        update.steps[stepKey] = mark;
        journeyUpdates.set(j.id, update);
      };
      const recordSkip = (j: JourneyState, stepKey: string, reason: string, channel?: string, final = true) => {
        skip(reason);
        skips.push({ journeyId: j.id, customerId: j.customerId, serviceKey: j.serviceKey, step: stepKey, channel, reason });
        if (final) markStep(j, stepKey, { status: 'skipped', on: asOf, reason, channel });
      };

      // One hash per customer and channel: a customer's journeys (one per vehicle) share it.
      const contactHashes = new Map<string, Map<string, string>>();
      const contactHashOf = (customer: CustomerFacts, channel: string) => {
        let byCustomer = contactHashes.get(channel);
        if (!byCustomer) contactHashes.set(channel, (byCustomer = new Map()));
        let hash = byCustomer.get(customer.id);
        if (hash === undefined) byCustomer.set(customer.id, (hash = this.contactHash(customer, channel)));
        return hash;
      };
      const drafts: Draft[] = [];
      for (const journey of facts.journeys) {
        const service = byKey.get(journey.serviceKey)!;
        const definition = this.catalog.service(journey.serviceKey).definition;
        this.applyOutcomes(journey, facts);
        const decision = decideSteps(journey, definition, service.settings, facts.appointments, asOf);
        for (const s of decision.skipped) recordSkip(journey, s.stepKey, s.reason);
        if (decision.end) {
          const update = journeyUpdates.get(journey.id) ?? { steps: { ...journey.steps } };
          journeyUpdates.set(journey.id, { ...update, state: 'done', reason: decision.end });
          continue;
        }
        const customer = facts.customers.get(journey.customerId);
        if (!customer) continue;
        for (const action of decision.actions) {
          const choice = this.chooseChannel(action, definition, journey, customer, facts);
          if ('reason' in choice) {
            recordSkip(journey, action.stepKey, choice.reason, undefined);
            continue;
          }
          drafts.push({
            key: '',
            service,
            definition,
            action,
            channel: choice.channel,
            customer,
            journeys: [journey],
            vehicleIds: choice.vehicleIds,
            dueDate: journey.dueDate,
            contactHash: contactHashOf(customer, choice.channel),
          });
        }
      }

      // Bundling and fleet consolidation, then duplicates: one message per recipient, service, step and channel.
      const groups = recipientGroups([...facts.customers.values()].map((c) => ({ customerId: c.id, email: c.email, phone: c.phone, name: nameOf(c), postalCode: c.postalCode })));
      const merged = new Map<string, Draft>();
      for (const draft of drafts) {
        draft.key = [groups.get(draft.customer.id), draft.service.key, draft.action.stepKey, draft.channel].join('|');
        const existing = merged.get(draft.key);
        if (!existing) merged.set(draft.key, draft);
        else {
          existing.journeys.push(...draft.journeys);
          existing.vehicleIds = [...new Set([...existing.vehicleIds, ...draft.vehicleIds])];
          if (draft.dueDate < existing.dueDate) existing.dueDate = draft.dueDate;
        }
      }
      const messages = [...merged.values()].sort((a, b) => byText(a.dueDate, b.dueDate) || byText(a.key, b.key));
      started.push(...(await this.pullForward(m, messages, ahead, asOf, facts)));

      // Frequency cap across dealers, then send windows and the budget.
      const contactCounts = await this.recentContacts(m, messages.filter((d) => d.channel !== 'call-list').map((d) => d.contactHash), asOf);
      const uncounted: string[] = [];
      const budgetLeft = new Map(services.map((s) => [s.key, s.monthlyBudgetCents === null ? Infinity : s.monthlyBudgetCents - (spent[s.key] ?? 0)]));
      await this.releaseHeld(m, dealer.id, services.map((s) => s.key), budgetLeft);
      const planned: { draft: Draft; message: NewMessage; held: boolean }[] = [];
      const contactsToday = new Map<string, number>();
      for (const draft of messages) {
        const stepKey = draft.action.stepKey;
        const counted = draft.channel !== 'call-list';
        const seen = (contactCounts.get(draft.contactHash) ?? 0) + (contactsToday.get(draft.contactHash) ?? 0);
        if (counted && seen >= PLANNING_POLICY.frequencyCap.messages) {
          for (const j of draft.journeys) recordSkip(j, stepKey, 'frequency-cap', draft.channel, false);
          uncounted.push(draft.contactHash);
          continue;
        }
        const vehicleBrand = facts.vehicles.get(draft.vehicleIds[0])?.brandId ?? dealer.brandIds[0];
        const price = draft.definition.pricing[draft.channel] ?? 0;
        const subsidy = draft.service.subsidyByBrand[vehicleBrand] ?? 0;
        const dealerCost = Math.round((price * (100 - subsidy)) / 100);
        const left = budgetLeft.get(draft.service.key)!;
        const held = dealerCost > left;
        if (!held) budgetLeft.set(draft.service.key, left - dealerCost);
        if (counted && !held) contactsToday.set(draft.contactHash, (contactsToday.get(draft.contactHash) ?? 0) + 1);
        if (counted && held) uncounted.push(draft.contactHash);
        if (held) {
          summary.held++;
          skip('budget');
        } else {
          summary.messages.total++;
          summary.messages.byChannel[draft.channel] = (summary.messages.byChannel[draft.channel] ?? 0) + 1;
          summary.costCents += dealerCost;
        }
        planned.push({ draft, message: { ...this.newMessage(runId, dealer, draft, held, asOf, now, facts), priceCents: price, dealerCostCents: dealerCost }, held });
      }

      const written = await this.outbox.enqueue(m, dealer.id, planned.map((p) => p.message));
      planned.forEach(({ draft, held }, i) => {
        const stepKey = draft.action.stepKey;
        const [first, ...others] = draft.journeys;
        const messageId = written[i].id;
        const tried = [...(first.steps[stepKey]?.tried ?? []), draft.channel];
        markStep(first, stepKey, { status: held ? 'held' : 'sent', on: asOf, channel: draft.channel, messageId, tried, ...(held ? { reason: 'budget' } : {}) });
        for (const j of others) markStep(j, stepKey, { status: 'bundled', on: asOf, channel: draft.channel, messageId });
      });
      await this.saveJourneys(m, dealer.id, started, journeyUpdates);
      await this.saveSkips(m, dealer.id, runId, asOf, skips);
      await this.uncountContacts(m, uncounted, asOf);
      // A dry run plans exactly as a real one and then rolls it all back: its figures are the real ones.
      if (dryRun) throw new DryRunRollback(summary);
      return summary;
    }).catch((error: unknown) => {
      if (error instanceof DryRunRollback) return error.summary;
      throw error;
    });
  }

  /** Messages held for the budget go out first, oldest first, as far as this month's budget now allows. */
  private async releaseHeld(m: EntityManager, dealerId: string, serviceKeys: string[], budgetLeft: Map<string, number>): Promise<void> {
    const held: { id: string; service_key: string; dealer_cost_cents: number }[] = await m.query(
      `SELECT id, service_key, coalesce(dealer_cost_cents, 0) AS dealer_cost_cents FROM messages
        WHERE status = 'held' AND status_reason = 'budget' AND service_key = ANY($1::text[]) ORDER BY send_on, created_at`,
      [serviceKeys],
    );
    const release: string[] = [];
    for (const message of held) {
      const left = budgetLeft.get(message.service_key) ?? 0;
      if (message.dealer_cost_cents > left) continue;
      budgetLeft.set(message.service_key, left - message.dealer_cost_cents);
      release.push(message.id);
    }
    await this.outbox.release(m, dealerId, release);
  }

  /** Occasions due now, and those due within bundleDays (only used to join a message going out today). */
  private async findOccasions(m: EntityManager, dealer: DealerFacts, definition: ServiceDefinition, settings: Record<string, unknown>, asOf: string, cache: FactsCache) {
    const trigger = this.catalog.trigger(definition.trigger);
    if (!trigger) return { now: [], ahead: [] };
    const later = addDays(asOf, PLANNING_POLICY.bundleDays);
    const windows = [{ asOf, settings }, { asOf: later, settings }];
    const filters = trigger.prefilter ? windows.flatMap((w) => trigger.prefilter!(w)) : undefined;
    const ids = await candidateCustomerIds(m, asOf, dealer.timezone, filters);
    const now: Occasion[] = [];
    const ahead: Occasion[] = [];
    for (let i = 0; i < ids.length; i += SNAPSHOT_BATCH) {
      const batch = await loadSnapshots(m, ids.slice(i, i + SNAPSHOT_BATCH), asOf, dealer.timezone, cache);
      const today = trigger.occasions(batch, windows[0]);
      const keys = new Set(today.map((o) => o.dedupeKey));
      now.push(...today);
      ahead.push(...trigger.occasions(batch, windows[1]).filter((o) => !keys.has(o.dedupeKey)));
    }
    return { now, ahead };
  }

  /**
   * Journeys for occasions that have none yet, in memory: they are written once, at the end of
   * the day's plan, with the steps it took (the dealer's plan lock keeps anyone else from starting them meanwhile).
   */
  private async startJourneys(m: EntityManager, serviceKey: string, occasions: Occasion[], asOf: string): Promise<StartedJourney[]> {
    if (!occasions.length) return [];
    const unique = new Map(occasions.map((o) => [o.dedupeKey, o]));
    const existing = new Set<string>();
    const keys = [...unique.keys()];
    for (let i = 0; i < keys.length; i += 10_000) {
      const rows: { occasion_key: string }[] = await m.query('SELECT occasion_key FROM journeys WHERE service_key = $1 AND occasion_key = ANY($2::text[])', [
        serviceKey,
        arrayLiteral(keys.slice(i, i + 10_000)),
      ]);
      rows.forEach((r) => existing.add(r.occasion_key));
    }
    return [...unique.values()]
      .filter((o) => !existing.has(o.dedupeKey))
      .map((occasion) => ({
        occasion,
        journey: { id: uuidv7(), serviceKey, customerId: occasion.customerId, vehicleIds: occasion.vehicleIds, dueDate: occasion.dueDate, startedOn: asOf, steps: {} },
      }));
  }

  /** A step whose message failed for good (hard bounce, rejected number) is due again on the channels not tried. */
  private applyOutcomes(journey: JourneyState, facts: JourneyFacts): void {
    for (const [stepKey, mark] of Object.entries(journey.steps)) {
      if (mark.status !== 'sent' || !mark.messageId) continue;
      const outcome = facts.outcomes.get(mark.messageId);
      if (outcome && (outcome.status === 'failed' || outcome.status === 'bounced')) {
        journey.steps[stepKey] = { ...mark, status: 'failed', tried: [...new Set([...(mark.tried ?? []), outcome.channel])] };
      }
    }
  }

  private chooseChannel(action: DueAction, definition: ServiceDefinition, journey: JourneyState, customer: CustomerFacts, facts: JourneyFacts):
    | { channel: string; vehicleIds: string[] }
    | { reason: string } {
    let reason = action.channels.length ? 'no-usable-channel' : 'channels-exhausted';
    const ledger = facts.ledgers.get(customer.id) ?? [];
    for (const channel of action.channels) {
      const problem = reachProblem(channel, customer, facts.undeliverable);
      if (problem) {
        reason = problem;
        continue;
      }
      const consentChannel = consentChannelOf(channel);
      const asks = journey.vehicleIds.length ? journey.vehicleIds : [null];
      const allowed = asks.filter((vehicleId) => decide(ledger, { channel: consentChannel, purpose: definition.purpose, vehicleId }).granted);
      if (!allowed.length) {
        reason = 'no-consent';
        continue;
      }
      return { channel, vehicleIds: allowed.filter((v): v is string => v !== null) };
    }
    return { reason };
  }

  /** Joins occasions due within bundleDays to a first-step message the same customer gets today; answers the journeys it started. */
  private async pullForward(
    m: EntityManager,
    messages: Draft[],
    ahead: Map<string, { service: string; occasion: Occasion }[]>,
    asOf: string,
    facts: JourneyFacts,
  ): Promise<StartedJourney[]> {
    const startedHere: StartedJourney[] = [];
    for (const draft of messages) {
      const firstStep = draft.definition.flow.find((s) => s.type === 'send');
      if (draft.action.step.id !== firstStep?.id) continue;
      const joining = (ahead.get(draft.customer.id) ?? []).filter((a) => a.service === draft.service.key);
      if (!joining.length) continue;
      const ledger = facts.ledgers.get(draft.customer.id) ?? [];
      const wanted = joining.filter((a) =>
        a.occasion.vehicleIds.every((v) => decide(ledger, { channel: consentChannelOf(draft.channel), purpose: draft.definition.purpose, vehicleId: v }).granted),
      );
      if (!wanted.length) continue;
      const fresh = await this.startJourneys(m, draft.service.key, wanted.map((a) => a.occasion), asOf);
      startedHere.push(...fresh);
      draft.journeys.push(...fresh.map((s) => s.journey));
      draft.vehicleIds = [...new Set([...draft.vehicleIds, ...fresh.flatMap((s) => s.journey.vehicleIds)])];
      ahead.delete(draft.customer.id);
    }
    // Vehicles of the journeys joined here were not among the facts loaded for the day.
    const missing = [...new Set(startedHere.flatMap((s) => s.journey.vehicleIds))].filter((v) => !facts.vehicles.has(v));
    if (missing.length) for (const v of await loadVehicles(m, missing)) facts.vehicles.set(v.id, v);
    return startedHere;
  }

  /** A keyed hash of the address the channel uses: comparable across dealers, meaningless to anyone. */
  contactHash(customer: Pick<CustomerFacts, 'id' | 'kind' | 'firstName' | 'lastName' | 'companyName' | 'email' | 'phone' | 'postalCode'>, channel: string): string {
    const keys = identityKeys({ customerId: customer.id, email: customer.email, phone: customer.phone, name: nameOf(customer), postalCode: customer.postalCode });
    const key = (channel === 'email' ? keys.find((k) => k.startsWith('email:')) : channel === 'letter' ? keys.find((k) => k.startsWith('name:')) : keys.find((k) => k.startsWith('phone:'))) ?? keys[0] ?? customer.id;
    return createHmac('sha256', this.contactKey).update(key).digest('base64url').slice(0, 32);
  }

  /**
   * Recent message counts per contact, across dealers, not counting this plan's own. Today's
   * counter row of each contact is locked first (in one sorted order, so dealers planned at once
   * cannot deadlock): a dealer sharing a contact with one being planned right now waits for that
   * plan's counts instead of reading around them. The same write counts this plan's messages
   * ahead, as if all of them went out (the counter is written once instead of twice); what the
   * cap or the budget then stops is taken back by uncountContacts.
   */
  private async recentContacts(m: EntityManager, hashes: string[], asOf: string): Promise<Map<string, number>> {
    if (!hashes.length) return new Map();
    const planned = new Map<string, number>();
    for (const h of hashes) planned.set(h, (planned.get(h) ?? 0) + 1);
    // Today's count comes from the locked row itself; earlier days are settled.
    const rows: { contact_hash: string; n: number }[] = await m.query(
      `WITH today AS (
         INSERT INTO contact_frequency (contact_hash, day, messages)
         SELECT h, $3::date, n FROM unnest($1::text[], $2::int[]) AS c(h, n) ORDER BY h
         ON CONFLICT (contact_hash, day) DO UPDATE SET messages = contact_frequency.messages + excluded.messages
         RETURNING contact_hash, messages
       )
       SELECT t.contact_hash, t.messages + coalesce((SELECT sum(f.messages) FROM contact_frequency f
                WHERE f.contact_hash = t.contact_hash AND f.day > $3::date - $4::int AND f.day < $3::date), 0)::int AS n
         FROM today t`,
      [arrayLiteral([...planned.keys()]), arrayLiteral([...planned.values()]), asOf, PLANNING_POLICY.frequencyCap.days],
    );
    return new Map(rows.map((r) => [r.contact_hash, r.n - planned.get(r.contact_hash)!]));
  }

  /** Takes back what recentContacts counted ahead for messages the cap or the budget stopped. */
  private async uncountContacts(m: EntityManager, hashes: string[], asOf: string): Promise<void> {
    if (!hashes.length) return;
    await m.query(
      `UPDATE contact_frequency f SET messages = f.messages - c.n
         FROM (SELECT h, count(*)::int AS n FROM unnest($1::text[]) AS h GROUP BY h) c
        WHERE f.contact_hash = c.h AND f.day = $2::date`,
      [arrayLiteral(hashes), asOf],
    );
  }

  private newMessage(runId: string, dealer: DealerFacts, draft: Draft, held: boolean, asOf: string, now: Date, facts: JourneyFacts): NewMessage {
    const c = draft.customer;
    const vehicles = draft.vehicleIds.map((v) => facts.vehicles.get(v)).filter((v): v is NonNullable<typeof v> => !!v);
    const appointment = draft.action.appointment;
    const journeyIds = draft.journeys.map((j) => j.id);
    return {
      // The channel is part of it: after a hard bounce the same step goes out again as a letter.
      dedupeKey: `${draft.service.key}:${draft.action.stepKey}:${[...journeyIds].sort()[0]}:${draft.channel}`,
      customerId: c.id,
      vehicleIds: draft.vehicleIds,
      channel: draft.channel,
      serviceKey: draft.service.key,
      step: draft.action.step.id,
      template: draft.action.step.template,
      locale: (c.locale ?? dealer.locale).slice(0, 2),
      brandId: vehicles[0]?.brandId ?? dealer.brandIds[0],
      recipient: {
        name: nameOf(c) ?? '',
        email: c.email ?? undefined,
        phone: c.phone ?? undefined,
        address: c.street && c.postalCode && c.city ? { street: c.street, postalCode: c.postalCode, city: c.city, country: c.country ?? '' } : undefined,
        locale: c.locale ?? dealer.locale,
      },
      // Merge data for the templates; why the message exists is kept in `reason`. Empty fields are
      // left out (`?? undefined`, which JSON skips): to Liquid a missing field is nil as well, and a
      // day's plan stores hundreds of thousands of these documents.
      data: {
        customer: {
          externalId: c.externalId,
          kind: c.kind,
          name: nameOf(c) ?? undefined,
          firstName: c.firstName ?? undefined,
          lastName: c.lastName ?? undefined,
          companyName: c.companyName ?? undefined,
          contact: c.kind === 'company' ? c.contacts[0] : undefined,
        },
        vehicles: vehicles.map((v) => ({
          externalId: v.externalId,
          plate: v.licensePlate ?? undefined,
          model: v.model ?? undefined,
          brandId: v.brandId,
          inspectionDueDate: v.inspectionDueDate ?? undefined,
          nextServiceDate: v.nextServiceDate ?? undefined,
          warrantyEndDate: v.warrantyEndDate ?? undefined,
          mileageKm: v.mileageKm ?? undefined,
        })),
        appointment: appointment ? { startsOn: appointment.startsOn, startsAt: appointment.startsAt } : undefined,
        dueDate: draft.dueDate,
        journeyIds,
        reason: { service: draft.service.key, step: draft.action.stepKey, occasions: draft.journeys.length, asOf },
      },
      runId,
      sendOn: asOf,
      notBefore: held ? undefined : holdUntil(asOf, draft.channel, dealer.timezone, now),
      held: held ? { reason: 'budget' } : undefined,
    };
  }

  /** Inserts the journeys this plan started (with their steps) and updates the others it moved. */
  private async saveJourneys(
    m: EntityManager,
    dealerId: string,
    started: StartedJourney[],
    updates: Map<string, { steps: Record<string, StepMark>; state?: string; reason?: string }>,
  ): Promise<void> {
    const fresh = started.map(({ journey: j, occasion: o }) => {
      const u = updates.get(j.id);
      updates.delete(j.id);
      return { j, o, steps: u?.steps ?? {}, state: u?.state ?? 'active', reason: u?.reason ?? null };
    });
    // Column arrays rather than a JSON document: PostgreSQL reads them at a fraction of the cost per
    // row. The two documents of each journey (data, steps) go as one JSON array, zipped by ROWS FROM.
    for (let i = 0; i < fresh.length; i += 5000) {
      const part = fresh.slice(i, i + 5000);
      await m.query(
        `INSERT INTO journeys (id, dealer_id, service_key, occasion_key, customer_id, vehicle_ids, due_date, started_on, data, steps, state, ended_reason)
         SELECT o.id, $1, o.service_key, o.key, o.customer_id, o.vehicle_ids::uuid[], o.due_date, o.started_on, o.docs->0, o.docs->1, o.state, o.reason
           FROM ROWS FROM (
             unnest($2::uuid[], $3::text[], $4::date[], $5::text[], $6::uuid[], $7::text[], $8::date[], $9::text[], $10::text[]),
             jsonb_array_elements($11::jsonb)
           ) AS o(id, service_key, started_on, key, customer_id, vehicle_ids, due_date, state, reason, docs)`,
        [
          dealerId,
          arrayLiteral(part.map((r) => r.j.id)),
          arrayLiteral(part.map((r) => r.j.serviceKey)),
          arrayLiteral(part.map((r) => r.j.startedOn)),
          arrayLiteral(part.map((r) => r.o.dedupeKey)),
          arrayLiteral(part.map((r) => r.j.customerId)),
          arrayLiteral(part.map((r) => arrayLiteral(r.j.vehicleIds))),
          arrayLiteral(part.map((r) => r.j.dueDate)),
          arrayLiteral(part.map((r) => r.state)),
          arrayLiteral(part.map((r) => r.reason)),
          JSON.stringify(part.map((r) => [r.o.data ?? {}, r.steps])),
        ],
      );
    }
    const list = [...updates.entries()].map(([id, u]) => ({ id, steps: u.steps, state: u.state ?? 'active', reason: u.reason ?? null }));
    for (let i = 0; i < list.length; i += 5000) {
      await m.query(
        `UPDATE journeys j SET steps = u.steps, state = u.state, ended_reason = u.reason, updated_at = now()
           FROM jsonb_to_recordset($1::jsonb) AS u(id uuid, steps jsonb, state text, reason text) WHERE j.id = u.id`,
        [JSON.stringify(list.slice(i, i + 5000))],
      );
    }
  }

  private async saveSkips(
    m: EntityManager,
    dealerId: string,
    runId: string,
    asOf: string,
    skips: { journeyId: string; customerId: string; serviceKey: string; step: string; channel?: string; reason: string }[],
  ): Promise<void> {
    for (let i = 0; i < skips.length; i += 5000) {
      await m.query(
        `INSERT INTO skips (dealer_id, run_id, journey_id, customer_id, service_key, step, channel, reason, as_of)
         SELECT $1, $2, s."journeyId", s."customerId", s."serviceKey", s.step, s.channel, s.reason, $3
           FROM jsonb_to_recordset($4::jsonb) AS s("journeyId" uuid, "customerId" uuid, "serviceKey" text, step text, channel text, reason text)`,
        [dealerId, runId, asOf, JSON.stringify(skips.slice(i, i + 5000))],
      );
    }
  }
}

export function nameOf(c: Pick<CustomerFacts, 'kind' | 'firstName' | 'lastName' | 'companyName'>): string | null {
  if (c.kind === 'company') return c.companyName;
  return [c.firstName, c.lastName].filter(Boolean).join(' ') || null;
}
