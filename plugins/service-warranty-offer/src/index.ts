import { defineService } from '@forecourt/sdk';

export default defineService({
  service: 'warranty-offer',
  trigger: 'warranty-expiry',
  purpose: 'marketing',
  pricing: { email: 5, letter: 95 },
  journeyDays: 60,
  flow: [
    { id: 'offer', type: 'send', at: 0, channels: { setting: 'channels' }, template: 'warranty-offer/offer' },
    { id: 'reminder', type: 'send', at: { setting: 'reminderAfterDays' }, channels: ['email'], template: 'warranty-offer/reminder' },
  ],
  settings: {
    type: 'object',
    additionalProperties: false,
    properties: {
      channels: { type: 'array', items: { type: 'string', enum: ['email', 'letter'] }, default: ['email', 'letter'] },
      leadTimeDays: { type: 'integer', minimum: 14, maximum: 180, default: 60 },
      reminderAfterDays: { type: 'integer', minimum: 1, maximum: 60, default: 21 },
    },
  },
});
