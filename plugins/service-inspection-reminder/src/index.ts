import { defineService } from '@forecourt/sdk';

/** The APK / HU journey (CONTRACT.md names its settings and defaults). */
export default defineService({
  service: 'inspection-reminder',
  trigger: 'inspection-due',
  purpose: 'service',
  pricing: { email: 5, letter: 95, sms: 9, 'call-list': 25 },
  journeyDays: 70,
  flow: [
    { id: 'invite', type: 'send', at: 0, channels: { setting: 'channels' }, template: 'inspection-reminder/invite' },
    { id: 'reminder', type: 'send', at: { setting: 'reminderAfterDays' }, channels: ['email'], template: 'inspection-reminder/reminder' },
    { id: 'call', type: 'send', at: { setting: 'callListAfterDays' }, channels: ['call-list'], template: 'inspection-reminder/call' },
    { id: 'appointment-sms', type: 'before-appointment', days: { setting: 'smsDaysBeforeAppointment' }, channels: ['sms'], template: 'inspection-reminder/appointment-sms' },
  ],
  settings: {
    type: 'object',
    additionalProperties: false,
    properties: {
      channels: {
        type: 'array',
        title: 'Invitation channels, in order',
        description: 'The first usable channel is used; the next one after a permanent failure.',
        items: { type: 'string', enum: ['email', 'letter', 'sms'] },
        default: ['email', 'letter'],
      },
      leadTimeDays: { type: 'integer', title: 'Days before the due date to invite', minimum: 7, maximum: 120, default: 42 },
      reminderAfterDays: { type: 'integer', title: 'Email reminder after (days)', minimum: 1, maximum: 60, default: 14 },
      callListAfterDays: { type: 'integer', title: 'Call list after (days)', minimum: 1, maximum: 90, default: 28 },
      smsDaysBeforeAppointment: { type: 'integer', title: 'SMS days before the appointment', minimum: 0, maximum: 7, default: 1 },
    },
  },
});
