import { defineService } from '@forecourt/sdk';

export default defineService({
  service: 'welcome',
  trigger: 'welcome',
  purpose: 'service',
  pricing: { email: 4, letter: 95 },
  journeyDays: 14,
  flow: [{ id: 'welcome', type: 'send', at: 0, channels: { setting: 'channels' }, template: 'welcome/welcome', evenIfBooked: true }],
  settings: {
    type: 'object',
    additionalProperties: false,
    properties: {
      channels: { type: 'array', items: { type: 'string', enum: ['email', 'letter'] }, default: ['email'] },
      withinDays: { type: 'integer', minimum: 1, maximum: 60, default: 14 },
    },
  },
});
