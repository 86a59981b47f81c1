import { parse } from 'csv-parse/sync';
import { csvCell, toCsv } from './report-csv';

describe('report CSV', () => {
  it('quotes separators, quotes and line breaks (RFC 4180) and leaves numbers and plain text alone', () => {
    expect(csvCell('win-back')).toBe('win-back');
    expect(csvCell(12)).toBe('12');
    expect(csvCell(null)).toBe('');
    expect(csvCell(false)).toBe('false');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
  });

  it('keeps text a spreadsheet would run as a formula from being one', () => {
    for (const text of ['=1+1', '+31 6', '-2', '@SUM(A1)', '\tx']) expect(csvCell(text).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
  });

  it('writes a header and one CRLF line per row that parse back to the same values', () => {
    const rows = [
      { week: '2026-11-23', serviceKey: 'a,"b"', channel: 'email', sent: 3 },
      { week: '2026-11-30', serviceKey: null, channel: 'sms', sent: 0 },
    ];
    const csv = toCsv(['week', 'serviceKey', 'channel', 'sent'], rows);
    expect(csv.split('\r\n')).toHaveLength(4);
    expect(parse(csv, { columns: true })).toEqual([
      { week: '2026-11-23', serviceKey: 'a,"b"', channel: 'email', sent: '3' },
      { week: '2026-11-30', serviceKey: '', channel: 'sms', sent: '0' },
    ]);
  });
});
