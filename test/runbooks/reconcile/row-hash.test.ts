import { exactRowHash, isKnownRowHash } from '../../../runbooks/reconcile/table-spec';

const columns = [
  { name: 'id', type: 'uuid', exact: true },
  { name: 'payload', type: 'jsonb', exact: false },
  { name: 'we"ird, name', type: 'text', exact: true },
];

describe('exactRowHash', () => {
  test('GIVEN only exact columns THEN the plain record hash', () => {
    expect(exactRowHash([columns[0]!, columns[2]!])).toBe('hash_record_extended(t.*, 0)');
  });
  test('GIVEN a column whose equal values may differ THEN that column is hashed as C-collated text, the others as they are', () => {
    expect(exactRowHash(columns)).toBe(
      'hash_record_extended(ROW(t."id", (t."payload"::text COLLATE "C"), t."we""ird, name"), 0)',
    );
  });
});

describe('isKnownRowHash (what apply accepts from a report)', () => {
  test.each([
    ['hash_record_extended(t.*, 0)', true],
    ['hashtextextended(t::text, 0)', true],
    ['hash_record_extended(ROW(t."id", (t."payload"::text COLLATE "C"), t."we""ird, name"), 0)', true],
    ['hash_record_extended(ROW((t."id"::text COLLATE "C"), t."payload", t."we""ird, name"), 0)', true],
    ['hash_record_extended(ROW(t."id", t."payload"), 0)', false],
    ['hash_record_extended(ROW(t."id", t."payload", t."we""ird, name", t."x"), 0)', false],
    ['hash_record_extended(ROW(t."id", (SELECT pg_sleep(10)), t."we""ird, name"), 0)', false],
    ['hash_record_extended(ROW(t."id", t."payload", t."we""ird, name"), 0) OR true', false],
  ])('%s → %s', (expression, accepted) => {
    expect(isKnownRowHash(expression, columns)).toBe(accepted);
  });
});
