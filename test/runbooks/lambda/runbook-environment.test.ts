import { readRunbookEnvironment } from '../../../runbooks/lambda/runbook-environment';

describe('readRunbookEnvironment', () => {
  test('a topology that is not JSON is named with its start and what is accepted', () => {
    expect(() =>
      readRunbookEnvironment({
        RUNBOOK_TOPOLOGY: '{appName: shop, envName: dev, primaryRegion: us-east-1}',
        AWS_REGION: 'us-east-1',
        RUNBOOK_BUCKET: 'b',
      }),
    ).toThrow(
      'environment variable RUNBOOK_TOPOLOGY: "{appName: shop, envName: dev, primaryReg"… is not JSON; accepted: the topology JSON the runbook stack sets',
    );
  });

  test('a missing variable is named', () => {
    expect(() => readRunbookEnvironment({ AWS_REGION: 'us-east-1', RUNBOOK_BUCKET: 'b' })).toThrow(
      'environment variable RUNBOOK_TOPOLOGY is not set; the runbook stack sets it',
    );
  });
});
