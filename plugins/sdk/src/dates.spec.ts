import { addDays, addMonths, daysBetween, nextAnniversary } from './dates';

describe('calendar-day arithmetic', () => {
  it('adds days across months, years and DST changes', () => {
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2027-03-01', -1)).toBe('2027-02-28');
    expect(daysBetween('2026-10-24', '2026-10-26')).toBe(2);
  });

  it('adds months, clamping to the last day of shorter months', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2024-03-01', 18)).toBe('2025-09-01');
  });

  it('finds the next anniversary on or after a day', () => {
    expect(nextAnniversary('1980-05-04', '2027-05-04')).toBe('2027-05-04');
    expect(nextAnniversary('1980-05-04', '2027-05-05')).toBe('2028-05-04');
    expect(nextAnniversary('1992-02-29', '2027-01-01')).toBe('2027-02-28');
  });
});
