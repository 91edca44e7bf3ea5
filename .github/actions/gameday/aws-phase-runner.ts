import { gameDayAwsPorts } from '../../../runbooks/adapters/aws/gameday-ports';
import type { GameDayInput, GameDayPhase, PhaseOutcome } from '../../../runbooks/gameday/gameday-phases';
import { runGameDayPhase } from '../../../runbooks/gameday/run-gameday-phase';
import type { GameDayCliInputs } from './gameday-inputs';

/**
 * `runGameDayPhase` over the AWS ports of the two Regions (`gameDayAwsPorts`), for the inputs of one step: the
 * configuration's evidence retention and targets, and await-return's wait within the job's credentials
 * (`wait_minutes`, 50 in gameday.yml). No request is sent before the phase calls a port.
 */
export function awsPhaseRunner(
  inputs: GameDayCliInputs,
  log: (line: string) => void,
  runUrl?: string,
): (phase: GameDayPhase, input: GameDayInput) => Promise<PhaseOutcome> {
  // Built at the first phase, so the validate step creates no SDK client at all.
  let ports: ReturnType<typeof gameDayAwsPorts> | undefined;
  const portsOf = () =>
    (ports ??= gameDayAwsPorts({
      appName: inputs.appName,
      envName: inputs.envName,
      primaryRegion: inputs.primaryRegion,
      standbyRegion: inputs.standbyRegion,
      evidenceRetentionDays: inputs.evidenceRetentionDays,
      targets: { rtoSeconds: inputs.rtoTargetMinutes * 60, rpoSeconds: inputs.rpoTargetSeconds },
      log,
      settings: { returnWaitMinutes: inputs.waitMinutes },
      ...(runUrl ? { runUrl } : {}),
    }));
  return (phase, input) => runGameDayPhase(phase, input, portsOf());
}
