import { jsonDifferences } from './json-differences';

describe('jsonDifferences', () => {
  test('GIVEN equal values THEN nothing', () => {
    expect(jsonDifferences({ a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] })).toEqual([]);
  });

  test('GIVEN a changed, an added and a removed value THEN each with its path', () => {
    expect(jsonDifferences({ S: { R: { P: [1, 2] }, Gone: 1 } }, { S: { R: { P: [1, 3] }, New: true } })).toEqual([
      'S.Gone: 1 -> (absent)',
      'S.New: (absent) -> true',
      'S.R.P[1]: 2 -> 3',
    ]);
  });

  test('GIVEN more differences than the limit THEN only the limit', () => {
    expect(jsonDifferences([1, 2, 3], [4, 5, 6], 2)).toEqual(['[0]: 1 -> 4', '[1]: 2 -> 5']);
  });
});
