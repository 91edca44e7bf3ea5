import type { RunResult } from '../../runbooks/core/engine';
import { runHeadline } from '../../runbooks/run-headline';

function recoverRun(summaries: Record<string, string>): RunResult {
  return {
    orchestration: 'recover',
    executionId: 'recover-1',
    status: 'succeeded',
    resumed: false,
    elapsedMs: 1000,
    steps: Object.entries(summaries).map(([db, summary]) => ({
      step: `reconcile-${db}`,
      status: 'succeeded',
      detail: `complete: ${summary}`,
      outputs: { status: 'complete', summary, report: `s3://reports/runs/recover/x/${db}/` },
    })),
  };
}

describe('the runbook headline for the person on call (issue 15)', () => {
  test('GIVEN recover found lost and possibly lost rows THEN it says how many and gives the apply command per database', () => {
    const lines = runHeadline(
      recoverRun({ catalog: 'identical 45', orders: 'identical 92, lost_insert 4, possibly_lost 20, conflict 1' }),
      { targetRegion: 'us-west-2' },
      'aws',
    );
    expect(lines).toEqual([
      'headline: 4 lost rows can be replayed, 20 rows were possibly lost (written as replication stopped), 1 row needs a person (reports: catalog: s3://reports/runs/recover/x/catalog/; orders: s3://reports/runs/recover/x/orders/)',
      "next: replay orders's lost rows from its report folder (download it first when it is in S3): npm run runbook -- apply --report <folder of s3://reports/runs/recover/x/orders/> --new-url <writer URL of orders in us-west-2> (add --replay-possibly-lost only if nothing on the new primary deletes such rows)",
      'next: decide each row the reports leave for a person, then run recover again',
    ]);
  });

  test('GIVEN recover found nothing THEN it says nothing was lost', () => {
    expect(runHeadline(recoverRun({ orders: 'identical 92' }), { targetRegion: 'us-west-2' }, 'aws')).toEqual([
      'headline: nothing was lost: every write of the failed Region is on the new writers (reports: orders: s3://reports/runs/recover/x/orders/)',
    ]);
  });

  test('GIVEN a report that compared no rows (the simulated world) THEN the headline says so, never that nothing was lost', () => {
    const lines = runHeadline(
      recoverRun({ orders: 'simulated: no real databases, so no rows compared' }),
      { targetRegion: 'us-west-2' },
      'local',
    );
    expect(lines).toEqual([
      'headline: orders (simulated: no real databases, so no rows compared): no rows were compared, so this does not show that nothing was lost (reports: orders: s3://reports/runs/recover/x/orders/)',
    ]);
  });

  test('GIVEN a dry run THEN there is no headline (the plan says it all)', () => {
    expect(runHeadline({ ...recoverRun({}), status: 'planned' }, {}, 'aws')).toEqual([]);
  });
});
