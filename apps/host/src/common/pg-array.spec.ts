import { arrayLiteral } from './pg-array';

describe('arrayLiteral', () => {
  it('quotes strings, escapes quotes and backslashes, and writes NULL for null and undefined', () => {
    expect(arrayLiteral(['a', 'b c', 'x"y', 'back\\slash', '{1,2}', 'NULL', null, undefined])).toBe(
      '{"a","b c","x\\"y","back\\\\slash","{1,2}","NULL",NULL,NULL}',
    );
  });

  it('writes numbers and booleans bare, and an empty array as {}', () => {
    expect(arrayLiteral([1, 2.5, true, false])).toBe('{1,2.5,true,false}');
    expect(arrayLiteral([])).toBe('{}');
  });

  it('writes plain strings the same way whether or not others need escaping', () => {
    expect(arrayLiteral(['a', 'b,c', ''])).toBe('{"a","b,c",""}');
    expect(arrayLiteral(['a', 'b,c', '', '"'])).toBe('{"a","b,c","","\\""}');
  });
});
