import { mondayOf, REPORT_POLICY, reportRange, sundayOf, wholeWeeks } from './report.policy';
import { ValidationProblem } from '../common/problem';

const problem = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationProblem);
    return (error as ValidationProblem).errors;
  }
  throw new Error('no problem raised');
};

describe('report weeks', () => {
  it.each([
    ['2026-11-23', '2026-11-23'], // a Monday is its own week
    ['2026-11-29', '2026-11-23'], // Sunday ends the ISO week
    ['2026-11-30', '2026-11-30'],
    ['2027-01-01', '2026-12-28'], // a Friday: its ISO week starts in the year before
    ['2024-03-03', '2024-02-26'], // across a leap day
    ['2026-03-29', '2026-03-23'], // the day clocks change in Europe
  ])('puts %s in the week of Monday %s', (day, monday) => {
    expect(mondayOf(day)).toBe(monday);
  });

  it('ends a week on its Sunday', () => {
    expect(sundayOf('2026-11-25')).toBe('2026-11-29');
    expect(sundayOf('2026-12-30')).toBe('2027-01-03');
  });

  it('widens a brand range to whole ISO weeks', () => {
    expect(wholeWeeks({ from: '2026-11-04', to: '2026-11-18' })).toEqual({ from: '2026-11-02', to: '2026-11-22' });
  });
});

describe('reportRange', () => {
  it('defaults to the last 12 ISO weeks up to today, the first week whole', () => {
    expect(REPORT_POLICY.defaultWeeks).toBe(12);
    expect(reportRange({}, '2026-11-25')).toEqual({ from: '2026-09-07', to: '2026-11-25' });
    expect(reportRange({ to: '2026-06-30' }, '2026-11-25')).toEqual({ from: '2026-04-13', to: '2026-06-30' });
  });

  it('takes a range as given', () => {
    expect(reportRange({ from: '2026-01-01', to: '2026-01-01' }, '2026-11-25')).toEqual({ from: '2026-01-01', to: '2026-01-01' });
  });

  it('names the field of a bad date, a reversed range and one longer than two years', () => {
    expect(problem(() => reportRange({ from: '2026-02-30' }, '2026-11-25'))).toEqual([{ field: 'from', message: expect.stringMatching(/YYYY-MM-DD/) }]);
    expect(problem(() => reportRange({ to: '25-11-2026' }, '2026-11-25'))).toEqual([{ field: 'to', message: expect.stringMatching(/YYYY-MM-DD/) }]);
    expect(problem(() => reportRange({ from: ['2026-01-01'] }, '2026-11-25'))[0].field).toBe('from');
    expect(problem(() => reportRange({ from: '2026-11-02', to: '2026-11-01' }, '2026-11-25'))).toEqual([
      { field: 'from', message: expect.stringMatching(/after to/) },
    ]);
    expect(problem(() => reportRange({ from: '2024-01-01', to: '2026-01-02' }, '2026-11-25'))).toEqual([
      { field: 'to', message: expect.stringMatching(/two years/) },
    ]);
    expect(reportRange({ from: '2024-01-01', to: '2025-12-31' }, '2026-11-25')).toEqual({ from: '2024-01-01', to: '2025-12-31' });
  });
});
