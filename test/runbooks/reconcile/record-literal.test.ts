import { recordFields } from '../../../runbooks/reconcile/record-literal';

// Literals as Postgres' record_out writes them ("Composite Type Input and Output Syntax", PostgreSQL docs §8.16.6):
// NULL as nothing, a value with a quote, backslash, comma, parenthesis or white space (or an empty one) in double
// quotes with quotes and backslashes doubled.
describe('recordFields reads each column text back from a record literal', () => {
  test('GIVEN plain values, a NULL and an empty string THEN a NULL is null and the empty string stays empty', () => {
    expect(recordFields('(1,,"",abc)')).toEqual(['1', null, '', 'abc']);
  });

  test('GIVEN a NULL as the last or the first field THEN it is null', () => {
    expect(recordFields('(a,)')).toEqual(['a', null]);
    expect(recordFields('(,a)')).toEqual([null, 'a']);
  });

  test('GIVEN quoted values with doubled quotes, a doubled backslash, commas and parentheses THEN each is read exactly', () => {
    expect(recordFields('("a ""b"" c","x\\\\y","(1,2)",z)')).toEqual(['a "b" c', 'x\\y', '(1,2)', 'z']);
  });

  test('GIVEN jsonb 10.0 and a float -0 THEN their text is kept as written, not as a number', () => {
    expect(recordFields('("{""v"": 10.0}",-0,1.00)')).toEqual(['{"v": 10.0}', '-0', '1.00']);
  });

  test('GIVEN text that is not a record literal THEN it is refused, naming what is accepted', () => {
    expect(() => recordFields('abc')).toThrow(/record literal: "abc" is not accepted; accepted: a record/);
    expect(() => recordFields('("abc)')).toThrow(/a quoted field is not closed/);
    expect(() => recordFields('("a"b)')).toThrow(/expected a comma at position 4/);
  });
});
