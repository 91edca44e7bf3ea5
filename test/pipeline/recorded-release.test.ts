import { type RecordedRollback, type RenderedStep, withRecordedReleases } from '../../pipeline/recorded-release';

// The post-pass relies on the jobs cdk-pipelines-github renders; a generator that renders them differently must fail
// the synth with a message naming what is missing, never produce a rollback that redeploys something else.

const TEMPLATE = 'https://b.s3.us-east-1.amazonaws.com/${{ needs.Assets-FileAsset4.outputs.asset-hash }}.json';
const oidc = { name: 'OIDC', uses: 'aws-actions/configure-aws-credentials@abc', with: { 'role-to-assume': 'deploy' } };
type Job = Record<string, unknown> & { needs: string[]; steps: RenderedStep[] };
const jobs = (): Record<string, Job> => ({
  'Primary-shop-services-Deploy': {
    needs: ['Assets-FileAsset4'],
    steps: [
      oidc,
      {
        id: 'Deploy',
        uses: 'aws-actions/aws-cloudformation-github-deploy@def',
        with: { name: 'shop-services', template: TEMPLATE, capabilities: 'CAPABILITY_IAM' },
      },
    ],
  },
  'Primary-Bake': {
    needs: ['Primary-shop-services-Deploy'],
    steps: [
      { name: 'Checkout', uses: 'actions/checkout@123' },
      oidc,
      { id: 'watch', run: 'node bake.cjs', env: { INPUT_MODE: 'watch', INPUT_REGION: 'us-east-1' } },
      { run: 'node rollback.cjs', env: { INPUT_COMMAND: 'record', INPUT_REGION: 'us-east-1', INPUT_APP_NAME: 'shop' } },
    ],
  },
});
const rollback = (stackName = 'shop-services'): RecordedRollback => ({
  region: 'us-east-1',
  stacks: [{ cdkId: 'Primary/Services', stackName, deployJobId: 'Primary-shop-services-Deploy' }],
  bakeJobIds: ['Primary-Bake'],
  rollbackJobId: 'Rollback-Primary',
  job: { needs: ['Primary-Bake'], if: 'x' },
  freezeCheck: { id: 'freeze', name: 'freeze', run: 'node freeze.cjs', env: { INPUT_COMMAND: 'check' } },
  frozenReport: { name: 'frozen', if: "${{ !failure() && steps.freeze.outputs.frozen != 'false' }}", run: 'echo' },
  failureReport: { name: 'report', if: '${{ failure() }}', run: 'echo' },
});

describe('withRecordedReleases', () => {
  test('GIVEN rendered deploy and bake jobs THEN record gets the deploy job’s template and the rollback redeploys it from the plan', () => {
    const result = withRecordedReleases(jobs(), [rollback()]) as Record<
      string,
      { needs?: string[]; steps: Array<{ env?: Record<string, string>; with?: Record<string, unknown> }> }
    >;
    expect(result['Primary-Bake']!.needs).toEqual(['Primary-shop-services-Deploy', 'Assets-FileAsset4']);
    expect(result['Primary-Bake']!.steps[3]!.env).toMatchObject({
      INPUT_STACKS: 'Primary/Services=shop-services',
      INPUT_TEMPLATES: `shop-services=${TEMPLATE}`,
    });
    const redeploy = result['Rollback-Primary']!.steps.find((s) => s.with?.['name'] === 'shop-services');
    expect(redeploy?.with).toEqual({
      name: 'shop-services',
      template: "${{ fromJSON(steps.plan.outputs.templates)['shop-services'] }}",
      capabilities: 'CAPABILITY_IAM',
    });
  });

  test('GIVEN a deploy job that deploys another stack THEN it throws, naming the job and both stacks', () => {
    expect(() => withRecordedReleases(jobs(), [rollback('shop-other')])).toThrow(
      'deploy workflow: job Primary-shop-services-Deploy deploys shop-services, not shop-other',
    );
  });

  test('GIVEN no bake job records the Region THEN it throws, naming the bake jobs and the Region', () => {
    const withoutRecord = jobs();
    withoutRecord['Primary-Bake']!.steps.pop();
    expect(() => withRecordedReleases(withoutRecord, [rollback()])).toThrow(
      'deploy workflow: no bake job of Primary-Bake records us-east-1',
    );
  });
});
