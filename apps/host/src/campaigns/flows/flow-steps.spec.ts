import inspection from '../../../../../plugins/service-inspection-reminder/src/index';
import { AppointmentFact, decideSteps, JourneyState } from './flow-steps';

const settings = { channels: ['email', 'letter'], leadTimeDays: 42, reminderAfterDays: 14, callListAfterDays: 28, smsDaysBeforeAppointment: 1 };
const journey = (steps: JourneyState['steps'] = {}): JourneyState => ({
  id: 'j', serviceKey: 'inspection-reminder', customerId: 'c', vehicleIds: ['v'], dueDate: '2027-03-01', startedOn: '2027-01-18', steps,
});
const ids = (d: ReturnType<typeof decideSteps>) => d.actions.map((a) => a.stepKey);

describe('the inspection-reminder flow', () => {
  it('invites on the first day, reminds after reminderAfterDays, calls after callListAfterDays', () => {
    expect(ids(decideSteps(journey(), inspection, settings, [], '2027-01-18'))).toEqual(['invite']);
    const invited = journey({ invite: { status: 'sent', on: '2027-01-18', channel: 'email' } });
    expect(ids(decideSteps(invited, inspection, settings, [], '2027-01-31'))).toEqual([]);
    expect(ids(decideSteps(invited, inspection, settings, [], '2027-02-01'))).toEqual(['reminder']);
    const reminded = journey({ ...invited.steps, reminder: { status: 'sent', on: '2027-02-01' } });
    expect(ids(decideSteps(reminded, inspection, settings, [], '2027-02-15'))).toEqual(['call']);
  });

  it('stops reminding once an appointment is booked and sends the SMS the day before it', () => {
    const invited = journey({ invite: { status: 'sent', on: '2027-01-18', channel: 'email' } });
    const booked: AppointmentFact[] = [{ id: 'a', vehicleId: 'v', startsOn: '2027-02-20', status: 'booked' }];
    const d = decideSteps(invited, inspection, settings, booked, '2027-02-01');
    expect(ids(d)).toEqual([]);
    expect(d.skipped).toEqual([{ stepKey: 'reminder', reason: 'appointment-booked' }]);
    const dayBefore = decideSteps(invited, inspection, settings, booked, '2027-02-19');
    expect(ids(dayBefore)).toEqual(['appointment-sms:a']);
    expect(dayBefore.actions[0].channels).toEqual(['sms']);
  });

  it('ends the journey when the appointment is done', () => {
    const done: AppointmentFact[] = [{ id: 'a', vehicleId: 'v', startsOn: '2027-02-20', status: 'done' }];
    expect(decideSteps(journey(), inspection, settings, done, '2027-02-21').end).toBe('appointment-done');
  });

  it('falls back to the channels not tried after a permanent failure', () => {
    const bounced = journey({ invite: { status: 'failed', on: '2027-01-18', channel: 'email', tried: ['email'] } });
    const d = decideSteps(bounced, inspection, settings, [], '2027-01-19');
    expect(d.actions).toMatchObject([{ stepKey: 'invite', channels: ['letter'] }]);
  });

  it('ignores appointments from before the journey and completes after journeyDays', () => {
    const old: AppointmentFact[] = [{ id: 'o', vehicleId: 'v', startsOn: '2026-02-01', status: 'done' }];
    expect(decideSteps(journey(), inspection, settings, old, '2027-01-18').end).toBeUndefined();
    const all = journey({ invite: { status: 'sent', on: 'x' }, reminder: { status: 'sent', on: 'x' }, call: { status: 'sent', on: 'x' } });
    expect(decideSteps(all, inspection, settings, [], '2027-03-30').end).toBe('completed');
  });
});
