import { defineService } from '@forecourt/sdk';

export default defineService({
  service: 'win-back',
  trigger: 'win-back',
  purpose: 'marketing',
  pricing: { email: 5, letter: 95 },
  journeyDays: 45,
  flow: [
    { id: 'invite', type: 'send', at: 0, channels: { setting: 'channels' }, template: 'win-back/invite' },
    { id: 'reminder', type: 'send', at: { setting: 'reminderAfterDays' }, channels: ['email'], template: 'win-back/reminder' },
  ],
  settings: {
    type: 'object',
    additionalProperties: false,
    properties: {
      channels: { type: 'array', items: { type: 'string', enum: ['email', 'letter'] }, default: ['email', 'letter'] },
      monthsWithoutVisit: { type: 'integer', minimum: 6, maximum: 60, default: 18 },
      useOwnInterval: { type: 'boolean', default: true },
      reminderAfterDays: { type: 'integer', minimum: 1, maximum: 60, default: 21 },
    },
  },
});
