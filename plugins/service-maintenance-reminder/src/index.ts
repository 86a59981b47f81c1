import { defineService } from '@forecourt/sdk';

export default defineService({
  service: 'maintenance-reminder',
  trigger: 'service-due',
  purpose: 'service',
  pricing: { email: 5, letter: 95, sms: 9 },
  journeyDays: 45,
  flow: [
    { id: 'invite', type: 'send', at: 0, channels: { setting: 'channels' }, template: 'maintenance-reminder/invite' },
    { id: 'reminder', type: 'send', at: { setting: 'reminderAfterDays' }, channels: ['email'], template: 'maintenance-reminder/reminder' },
    { id: 'appointment-sms', type: 'before-appointment', days: { setting: 'smsDaysBeforeAppointment' }, channels: ['sms'], template: 'maintenance-reminder/appointment-sms' },
  ],
  settings: {
    type: 'object',
    additionalProperties: false,
    properties: {
      channels: { type: 'array', items: { type: 'string', enum: ['email', 'letter', 'sms'] }, default: ['email', 'letter'] },
      leadTimeDays: { type: 'integer', minimum: 7, maximum: 90, default: 28 },
      serviceIntervalKm: { type: 'integer', minimum: 5000, maximum: 60000, default: 30000 },
      reminderAfterDays: { type: 'integer', minimum: 1, maximum: 60, default: 14 },
      smsDaysBeforeAppointment: { type: 'integer', minimum: 0, maximum: 7, default: 1 },
    },
  },
});
