import { flattenSettings, regionNeutral, settingsDifferences } from '../../../runbooks/readiness/settings-differences';

describe('regionNeutral', () => {
  test("GIVEN ARNs, URIs and host names of a Region WHEN neutralised THEN the Region and the ARNs' account are placeholders", () => {
    expect(
      regionNeutral(
        {
          role: 'arn:aws:iam::123456789012:role/shop-dev-orders-task-eu-west-1',
          secret: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop-dev/orders-db',
          host: 'orders.eu-west-1.internal',
          port: 8080,
          list: ['eu-west-1', 'eu-central-1'],
        },
        'eu-west-1',
      ),
    ).toEqual({
      role: 'arn:aws:iam::<account>:role/shop-dev-orders-task-<region>',
      secret: 'arn:aws:secretsmanager:<region>:<account>:secret:shop-dev/orders-db',
      host: 'orders.<region>.internal',
      port: 8080,
      list: ['<region>', 'eu-central-1'],
    });
  });

  test('GIVEN a 12-digit number outside an ARN WHEN neutralised THEN it stays: only ARN accounts are replaced', () => {
    expect(regionNeutral('TIMEOUT=123456789012', 'us-east-1')).toBe('TIMEOUT=123456789012');
  });
});

describe('settingsDifferences', () => {
  test('GIVEN named lists in another order WHEN compared THEN no difference', () => {
    const a = {
      environment: [
        { name: 'A', value: '1' },
        { name: 'B', value: '2' },
      ],
    };
    const b = {
      environment: [
        { name: 'B', value: '2' },
        { name: 'A', value: '1' },
      ],
    };
    expect(settingsDifferences(a, b)).toEqual([]);
  });

  test('GIVEN unnamed lists in another order WHEN compared THEN each position differs', () => {
    expect(settingsDifferences({ command: ['a', 'b'] }, { command: ['b', 'a'] })).toEqual([
      { key: 'command[0]', left: '"a"', right: '"b"' },
      { key: 'command[1]', left: '"b"', right: '"a"' },
    ]);
  });

  test('GIVEN an empty list on one side and none on the other WHEN compared THEN the difference is named', () => {
    expect(settingsDifferences({ volumes: [] }, {})).toEqual([{ key: 'volumes', left: '[]', right: undefined }]);
    expect(flattenSettings({ a: {} })).toEqual(new Map([['a', '{}']]));
  });
});
