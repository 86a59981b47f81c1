import { Injectable, NotFoundException } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Principal } from '../auth/principal';
import { PageQuery } from '../common/pagination';
import { fieldError } from '../common/problem';
import { AppointmentDto } from '../data-room/appointments/appointment.dto';
import { upsertAppointments } from '../data-room/appointments/appointments.writer';
import { DataRoomAccess } from '../data-room/data-room.access';
import { PluginRegistry } from '../plugin-host/plugin-registry.service';
import { CallOutcome, CallOutcomeDto } from './call-list.dto';

export const CALL_LIST_CHANNEL = 'call-list';

/** Statuses of an entry that is on the list: the call-list channel took it. */
const ON_THE_LIST = ['sent', 'delivered'];

/**
 * Outcomes that reached the customer: the entry counts as delivered (it stays on the list). No
 * answer and a wrong number leave it sent: a status a planner could read as a hard failure would
 * start a fallback the caller did not ask for.
 */
const REACHED: CallOutcome[] = ['appointment', 'declined'];

/** The appointment a call books, by the service that put the customer on the list; inspection otherwise. */
const APPOINTMENT_TYPE_BY_SERVICE: Record<string, AppointmentDto['type']> = {
  'maintenance-reminder': 'service',
  'warranty-offer': 'service',
  'win-back': 'service',
  'post-visit': 'service',
};

export interface CallOutcomeView {
  id: string;
  outcome: CallOutcome;
  appointmentStartsAt?: string;
  recordedBy: string;
  at: string;
}

export interface CallListVehicle {
  externalId: string;
  licensePlate: string | null;
  model: string | null;
  inspectionDueDate: string | null;
}

export interface CallListEntry {
  entryId: string;
  status: string;
  customerExternalId: string;
  customerName: string;
  phone: string | null;
  vehicles: CallListVehicle[];
  reason: string;
  serviceKey: string | null;
  step: string | null;
  dueDate: string | null;
  createdAt: string;
  sentAt: string | null;
  outcomes: CallOutcomeView[];
}

export interface CallList {
  date: string;
  items: CallListEntry[];
  total: number;
  page: number;
  pageSize: number;
}

interface EntryRow {
  id: string;
  status: string;
  service_key: string | null;
  step: string | null;
  data: Record<string, unknown>;
  recipient: { name?: string; phone?: string };
  customer_external_id: string;
  customer_name: string | null;
  customer_phone: string | null;
  vehicles: CallListVehicle[];
  outcomes: { id: string; outcome: CallOutcome; appointment_starts_at: string | null; recorded_by: string; at: string }[];
  created_at: Date;
  sent_at: Date | null;
}

const humanize = (key: string) => key.charAt(0).toUpperCase() + key.slice(1).replace(/-/g, ' ');

function outcomeView(row: EntryRow['outcomes'][number]): CallOutcomeView {
  return {
    id: row.id,
    outcome: row.outcome,
    ...(row.appointment_starts_at ? { appointmentStartsAt: new Date(row.appointment_starts_at).toISOString() } : {}),
    recordedBy: row.recorded_by,
    at: new Date(row.at).toISOString(),
  };
}

/**
 * A dealer's call list is its messages on the call-list channel for a day: the outbox row is the
 * entry. Outcomes are kept per call in call_outcomes, and each is also a message event on the entry
 * (as opens and delivery reports are, for reports); an appointment outcome books the appointment
 * through the data room's own writer, in the same transaction, so the flows stop reminding.
 */
@Injectable()
export class CallListsService {
  constructor(
    private readonly dataRoom: DataRoomAccess,
    private readonly registry: PluginRegistry,
  ) {}

  list(principal: Principal, dealerId: string, query: PageQuery & { date?: string }): Promise<CallList> {
    return this.dataRoom.run(principal, dealerId, 'read', async (m) => {
      const date = query.date ?? (await this.today(m, dealerId));
      // The day a message is for (a run's asOf); a row written without one counts by when it was made or sent.
      const where = `m.dealer_id = $1 AND m.channel = '${CALL_LIST_CHANNEL}' AND m.status = ANY($3::text[])
        AND (m.send_on = $2::date OR (m.send_on IS NULL AND (coalesce(m.sent_at, m.created_at) AT TIME ZONE d.timezone)::date = $2::date))`;
      const from = `FROM messages m JOIN dealers d ON d.id = m.dealer_id
        JOIN customers c ON c.dealer_id = m.dealer_id AND c.id = m.customer_id WHERE ${where}`;
      const params = [dealerId, date, ON_THE_LIST];
      const [{ total }] = await m.query(`SELECT count(*)::int AS total ${from}`, params);
      const rows: EntryRow[] = await m.query(
        `SELECT m.id, m.status, m.service_key, m.step, m.data, m.recipient, m.created_at, m.sent_at,
                c.external_id AS customer_external_id, c.phone AS customer_phone,
                nullif(trim(coalesce(c.company_name, concat_ws(' ', c.first_name, c.last_name))), '') AS customer_name,
                coalesce((SELECT jsonb_agg(jsonb_build_object('externalId', v.external_id, 'licensePlate', v.license_plate, 'model', v.model,
                                                              'inspectionDueDate', v.inspection_due_date::text)
                                           ORDER BY array_position(m.vehicle_ids, v.id))
                            FROM vehicles v WHERE v.dealer_id = m.dealer_id AND v.id = ANY(m.vehicle_ids)), '[]') AS vehicles,
                coalesce((SELECT jsonb_agg(jsonb_build_object('id', o.id, 'outcome', o.outcome, 'appointment_starts_at', o.appointment_starts_at,
                                                              'recorded_by', o.recorded_by, 'at', o.at) ORDER BY o.at, o.id)
                            FROM call_outcomes o WHERE o.dealer_id = m.dealer_id AND o.message_id = m.id), '[]') AS outcomes
           ${from}
          ORDER BY m.created_at, customer_name, m.id
          LIMIT $4 OFFSET $5`,
        [...params, query.pageSize, (query.page - 1) * query.pageSize],
      );
      return { date, items: rows.map((row) => this.entryView(row)), total, page: query.page, pageSize: query.pageSize };
    });
  }

  record(principal: Principal, dealerId: string, entryId: string, dto: CallOutcomeDto) {
    if (dto.outcome !== 'appointment' && dto.appointmentStartsAt) {
      throw fieldError('appointmentStartsAt', 'goes only with outcome appointment');
    }
    return this.dataRoom.run(principal, dealerId, 'create', async (m) => {
      const [entry]: { id: string; service_key: string | null; data: Record<string, unknown>; vehicles: string[] }[] = await m.query(
        `SELECT m.id, m.service_key, m.data,
                ARRAY(SELECT v.external_id FROM vehicles v WHERE v.dealer_id = m.dealer_id AND v.id = ANY(m.vehicle_ids)
                       ORDER BY array_position(m.vehicle_ids, v.id)) AS vehicles
           FROM messages m WHERE m.dealer_id = $1 AND m.id = $2 AND m.channel = $3 AND m.status = ANY($4::text[]) AND m.customer_id IS NOT NULL`,
        [dealerId, entryId, CALL_LIST_CHANNEL, ON_THE_LIST],
      );
      if (!entry) throw new NotFoundException('call list entry not found');
      const startsAt = dto.outcome === 'appointment' ? dto.appointmentStartsAt! : null;
      const [row] = await m.query(
        `INSERT INTO call_outcomes (dealer_id, message_id, outcome, appointment_starts_at, recorded_by)
         VALUES ($1, $2, $3, $4, $5) RETURNING id, outcome, appointment_starts_at, recorded_by, at`,
        [dealerId, entryId, dto.outcome, startsAt, principal.label],
      );
      await m.query(
        `WITH event AS (
           INSERT INTO message_events (dealer_id, message_id, channel, type, data) VALUES ($1, $2, $3, 'call-outcome', $4::jsonb)
         )
         UPDATE messages SET status = 'delivered', updated_at = now() WHERE dealer_id = $1 AND id = $2 AND status = 'sent' AND $5`,
        [dealerId, entryId, CALL_LIST_CHANNEL, JSON.stringify({ outcome: dto.outcome, outcomeId: row.id }), REACHED.includes(dto.outcome)],
      );
      const appointments = startsAt ? await this.book(m, dealerId, entry, startsAt) : [];
      return { entryId, ...outcomeView(row), appointments };
    });
  }

  /** One booked appointment per vehicle of the entry, keyed by the entry: recording it again moves it. */
  private async book(m: EntityManager, dealerId: string, entry: { id: string; service_key: string | null; data: Record<string, unknown>; vehicles: string[] }, startsAt: string) {
    const type = this.appointmentType(entry.service_key, entry.data);
    const booked = [];
    for (const [i, vehicleExternalId] of entry.vehicles.entries()) {
      const externalId = `call-list:${entry.id}:${i + 1}`;
      const dto: AppointmentDto = { vehicleExternalId, type, startsAt, status: 'booked' };
      await this.dataRoom.writeOne(m, dealerId, upsertAppointments, externalId, dto);
      booked.push({ externalId, ...dto, startsAt: new Date(startsAt).toISOString() });
    }
    return booked;
  }

  private appointmentType(serviceKey: string | null, data: Record<string, unknown>): AppointmentDto['type'] {
    const asked = data.appointmentType;
    if (asked === 'inspection' || asked === 'service' || asked === 'repair' || asked === 'other') return asked;
    return (serviceKey && APPOINTMENT_TYPE_BY_SERVICE[serviceKey]) || 'inspection';
  }

  private async today(m: EntityManager, dealerId: string): Promise<string> {
    const [{ today }] = await m.query(`SELECT (now() AT TIME ZONE timezone)::date::text AS today FROM dealers WHERE id = $1`, [dealerId]);
    return today;
  }

  private entryView(row: EntryRow): CallListEntry {
    const dueDate = typeof row.data.dueDate === 'string' ? row.data.dueDate : null;
    return {
      entryId: row.id,
      status: row.status,
      customerExternalId: row.customer_external_id,
      customerName: row.customer_name ?? row.recipient.name ?? '',
      phone: row.customer_phone ?? row.recipient.phone ?? null,
      vehicles: row.vehicles,
      reason: this.reason(row.service_key, row.step, dueDate),
      serviceKey: row.service_key,
      step: row.step,
      dueDate,
      createdAt: new Date(row.created_at).toISOString(),
      sentAt: row.sent_at ? new Date(row.sent_at).toISOString() : null,
      outcomes: row.outcomes.map(outcomeView),
    };
  }

  /** "Inspection reminder (APK / HU): call, due 2027-01-15": the service's name as its plugin gives it, the step, the due date. */
  private reason(serviceKey: string | null, step: string | null, dueDate: string | null): string {
    const service = serviceKey
      ? (this.registry.list().find((p) => p.definition?.kind === 'service' && p.definition.service === serviceKey)?.manifest?.displayName ?? humanize(serviceKey))
      : 'Call';
    return `${service}${step ? `: ${step.replace(/-/g, ' ')}` : ''}${dueDate ? `, due ${dueDate}` : ''}`;
  }
}
