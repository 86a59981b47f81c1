import type { OutgoingMessage } from '@forecourt/sdk';
import { makeTestContext, runChannelContract } from '@forecourt/sdk';
import { randomUUID } from 'node:crypto';
import callList, { CallListSettings } from './index';

const entry = (phone: string | undefined): OutgoingMessage => ({
  id: randomUUID(),
  dealerId: '11111111-1111-4111-8111-111111111111',
  channel: 'call-list',
  to: { name: 'Bert Jansen', phone, locale: 'nl' },
  text: 'APK due; no appointment after invitation and reminder',
  data: { reason: { service: 'inspection-reminder', step: 'call' } },
});

runChannelContract('call list', {
  definition: callList,
  settings: {},
  sampleMessage: () => entry('+31301234567'),
  expectDelivered: (result) => expect(result).toEqual({ status: 'sent', units: 1, costCents: 0 }),
});

describe('the call-list channel', () => {
  const send = async (phone: string | undefined, settings: CallListSettings = {}) => {
    const client = await callList.createClient(makeTestContext(settings));
    const message = entry(phone);
    return client.send!(message, { idempotencyKey: message.id });
  };

  it('declares the call-list channel, reaching phone numbers (landlines too) under the phone consent', () => {
    expect(callList).toMatchObject({ kind: 'channel', channel: 'call-list', reach: 'phone', consentChannel: 'phone', unitCostCents: 0 });
    expect(callList.batched).toBeFalsy();
  });

  it('puts an entry with a number on the list: nothing leaves the host, the entry is the message', async () => {
    expect(await send('+31301234567')).toEqual({ status: 'sent', units: 1, costCents: 0 });
    expect(await send('030 123 45 67')).toEqual({ status: 'sent', units: 1, costCents: 0 });
    expect(await send('+49 (30) 1234-5678')).toMatchObject({ status: 'sent' });
  });

  it('charges the handling price the dealer set per entry', async () => {
    expect(await send('+31301234567', { pricePerEntryCents: 25 })).toEqual({ status: 'sent', units: 1, costCents: 25 });
  });

  it('fails an entry without a number to call, or with something that is not one', async () => {
    expect(await send(undefined)).toEqual({ status: 'failed', reason: 'the customer has no phone number to call' });
    expect(await send('  ')).toEqual({ status: 'failed', reason: 'the customer has no phone number to call' });
    expect(await send('12')).toEqual({ status: 'failed', reason: '"12" is not a phone number' });
    expect(await send('call me maybe')).toEqual({ status: 'failed', reason: '"call me maybe" is not a phone number' });
  });
});
