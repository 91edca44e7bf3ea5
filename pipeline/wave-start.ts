import { GitHubActionStep, JobPermission } from 'cdk-pipelines-github';
import type { ShopConfig } from '../config';
import { cliCommand } from './bundled-cli';
import { APPROVAL_STEP_ID, FREEZE_GUARD_STEP_ID } from './deploy-job-ids';
import { assumeRole, checkoutBundles } from './job-steps';

/**
 * The jobs that open a wave: its one approval, then its freeze guard (read last, right before the stacks change).
 *
 * The approval job is the wave's only job in the reviewers Environment: GitHub asks for approval per job that
 * references an Environment with required reviewers, as each job becomes ready, so an Environment on every deploy
 * job asked about seven times per Region and made the rollback wait for a person (review M7). It has no
 * credentials and no token (`permissions: {}`). An Environment without reviewers lets it pass at once.
 */
export function waveStart(config: ShopConfig, deployRole: string, approvalEnvironment: string): GitHubActionStep[] {
  const approve = new GitHubActionStep(APPROVAL_STEP_ID, {
    githubEnvironment: approvalEnvironment,
    permissions: {},
    jobSteps: [
      {
        name: `Approved in the ${approvalEnvironment} Environment`,
        run: `echo "The ${approvalEnvironment} wave may start: its freeze guard runs next"`,
      },
    ],
  });
  const guard = freezeGuard(config, deployRole);
  guard.addStepDependency(approve);
  return [approve, guard];
}

/**
 * The first job of a wave: it stops the wave, before any of its stacks changes, while a failover, switchover or
 * failback holds the deploy freeze (`/<app>/<env>/deploy-freeze`, read in both Regions; the freeze CLI fails closed
 * when it cannot decide). A deploy running when the failover is dispatched therefore finishes the wave it is in and stops
 * at the next wave boundary, never in the middle of a CloudFormation update. No GitHub Environment: the job asks
 * nobody and presents the deploy branch to the deploy role's trust.
 */
function freezeGuard(config: ShopConfig, deployRole: string): GitHubActionStep {
  return new GitHubActionStep(FREEZE_GUARD_STEP_ID, {
    permissions: { contents: JobPermission.READ, idToken: JobPermission.WRITE },
    jobSteps: [
      ...checkoutBundles(),
      assumeRole(deployRole, config.primaryRegion),
      {
        name: 'Stop here while a failover holds the deploy freeze',
        run: cliCommand('freeze'),
        env: freezeTargetEnv(config, 'check'),
      },
    ],
  });
}

/** The inputs of the freeze CLI that name the freeze: the command, both Regions, the app and environment. */
export function freezeTargetEnv(config: ShopConfig, command: 'check' | 'set' | 'clear'): Record<string, string> {
  return {
    INPUT_COMMAND: command,
    INPUT_REGIONS: `${config.primaryRegion},${config.standbyRegion}`,
    INPUT_APP_NAME: config.appName,
    INPUT_ENV_NAME: config.envName,
  };
}
