import { defineService } from '@forecourt/sdk';

export default defineService({
  service: 'post-visit',
  trigger: 'appointment',
  purpose: 'service',
  pricing: { email: 4, sms: 9 },
  journeyDays: 1,
  flow: [{ id: 'satisfaction', type: 'send', at: 0, channels: { setting: 'channels' }, template: 'post-visit/satisfaction', evenIfBooked: true }],
  settings: {
    type: 'object',
    additionalProperties: false,
    properties: {
      channels: { type: 'array', items: { type: 'string', enum: ['email', 'sms'] }, default: ['email'] },
      when: { type: 'string', enum: ['after'], default: 'after' },
      daysAfter: { type: 'integer', minimum: 1, maximum: 14, default: 2 },
    },
  },
});
