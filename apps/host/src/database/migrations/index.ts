import { Foundation1732300000000 } from './1732300000000-foundation';
import { Plugins1732400000000 } from './1732400000000-plugins';
import { Outbox1732500000000 } from './1732500000000-outbox';
import { CallLists1732600000000 } from './1732600000000-call-lists';
import { Campaigns1732700000000 } from './1732700000000-campaigns';
import { MessagePlanning1732800000000 } from './1732800000000-message-planning';
import { PlanningWrites1732900000000 } from './1732900000000-planning-writes';
import { PlanningIndexes1733000000000 } from './1733000000000-planning-indexes';
import { Templates1733200000000 } from './1733200000000-templates';
import { ContactCounterRoom1733400000000 } from './1733400000000-contact-counter-room';
import { MessageBrandCheck1733500000000 } from './1733500000000-message-brand-check';
import { PreferenceCenter1733600000000 } from './1733600000000-preference-center';
import { PreferenceState1733600000001 } from './1733600000001-preference-state';
import { Webhooks1733700000000 } from './1733700000000-webhooks';
import { AppointmentBookedAt1733800000000 } from './1733800000000-appointment-booked-at';

/** Every migration in order; listed here so the same build runs from dist and under jest. */
export const migrations = [
  Foundation1732300000000,
  Plugins1732400000000,
  Outbox1732500000000,
  CallLists1732600000000,
  Campaigns1732700000000,
  MessagePlanning1732800000000,
  PlanningWrites1732900000000,
  PlanningIndexes1733000000000,
  Templates1733200000000,
  ContactCounterRoom1733400000000,
  MessageBrandCheck1733500000000,
  PreferenceCenter1733600000000,
  PreferenceState1733600000001,
  Webhooks1733700000000,
  AppointmentBookedAt1733800000000,
];
