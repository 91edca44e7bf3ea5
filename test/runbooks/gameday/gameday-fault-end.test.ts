import { type GameDayInput, type GameDayPhase, type PhaseOutcome, runGameDayPhase } from '../../../runbooks/gameday';
import { gameDayRecordKey } from '../../../runbooks/gameday/gameday-record';
import { EAST, WEST } from '../aws-scenarios/aws-world';
import { GAMEDAY_ID, modelGameDay } from './model-gameday';

jest.setTimeout(120_000);

const input: GameDayInput = {
  gameDayId: GAMEDAY_ID,
  failedRegion: EAST,
  survivingRegion: WEST,
  actor: 'octocat',
  approver: 'hubot',
  dryRun: false,
};

describe('the fault that ends early, on the AWS model (review 16c S3)', () => {
  test('GIVEN the stop condition ends the experiment 20 s after inject WHEN the game day runs to score THEN it is INCONCLUSIVE and the record keeps the experiment end', async () => {
    const game = modelGameDay({});
    try {
      const out: PhaseOutcome[] = [];
      const run = async (phase: GameDayPhase) => {
        out.push(await runGameDayPhase(phase, input, game.ports));
      };
      for (const phase of ['preflight', 'start-traffic', 'inject'] as const) await run(phase);
      // The surviving Region's local canary alarms (the template's stop condition): FIS stops the experiment.
      game.world.advance(20);
      game.model.fis.alarm(`arn:aws:cloudwatch:${WEST}:111122223333:alarm:shop-dev-${WEST}-canary-local`);
      game.world.advance(60);
      for (const phase of ['failover', 'await-return', 'recover', 'score'] as const) await run(phase);
      const score = out.at(-1) as PhaseOutcome;
      expect(score.verdict).toBe('INCONCLUSIVE');
      const record = JSON.parse((await game.ports.buckets.get(WEST, gameDayRecordKey(GAMEDAY_ID))) as string);
      expect(record.experiment).toMatchObject({ status: 'stopped' });
      expect(record.experiment.endedAt).toEqual(expect.any(String));
      expect(score.summary).toMatch(/the fault lasted \d+\.\d s and ended stopped \(.*[Ss]top condition.*\) at /);
    } finally {
      game.world.dispose();
    }
  });
});
