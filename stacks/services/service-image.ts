import * as path from 'node:path';
import { IgnoreMode } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { ShopServiceName } from './shop-services';

/** The repository root: the Docker build context, because services share `services/db` and the root lockfile. */
const REPO_ROOT = path.resolve(__dirname, '..', '..');

/**
 * What of the repository goes into the build context (Docker ignore syntax: everything is excluded, then the
 * package manifests and `services/` are let back in, minus anything bulky). Keeping the context this small keeps
 * `cdk synth` fast: the context is fingerprinted and copied into cdk.out once per service.
 */
export const SERVICE_IMAGE_CONTEXT_EXCLUDES: readonly string[] = [
  '*',
  '!package.json',
  '!package-lock.json',
  '!tsconfig.json',
  '!services',
  'services/**/node_modules',
  'services/**/*.test.ts',
  'services/**/coverage',
  'services/**/.local',
];

/** The one Dockerfile of the five services; the build argument `SERVICE` names which one it builds. */
export const SERVICE_DOCKERFILE = 'services/Dockerfile';

/**
 * The container image of a shop service, built by the CDK asset publisher from {@link SERVICE_DOCKERFILE} with
 * `SERVICE=<name>` and the repository root as context. `cdk synth` only stages the context; nothing is built until
 * publish.
 */
export function shopServiceImage(name: ShopServiceName): ecs.ContainerImage {
  return ecs.ContainerImage.fromAsset(REPO_ROOT, {
    file: SERVICE_DOCKERFILE,
    buildArgs: { SERVICE: name },
    ignoreMode: IgnoreMode.DOCKER,
    exclude: [...SERVICE_IMAGE_CONTEXT_EXCLUDES],
    displayName: `${name} service image`,
  });
}
