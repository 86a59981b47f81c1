import { defineService } from '@forecourt/sdk';

export default defineService({
  service: 'birthday-greeting',
  trigger: 'birthday',
  purpose: 'marketing',
  pricing: { email: 4, sms: 9 },
  journeyDays: 1,
  flow: [{ id: 'greeting', type: 'send', at: 0, channels: { setting: 'channels' }, template: 'birthday-greeting/greeting', evenIfBooked: true }],
  settings: {
    type: 'object',
    additionalProperties: false,
    properties: {
      channels: { type: 'array', items: { type: 'string', enum: ['email', 'sms'] }, default: ['email'] },
      daysAhead: { type: 'integer', minimum: 0, maximum: 14, default: 0 },
    },
  },
});
