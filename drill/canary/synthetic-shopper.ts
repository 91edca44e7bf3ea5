import { randomBytes } from 'node:crypto';
import type { CanaryRunOptions } from './run-canary';

/**
 * The drill's synthetic shopper, as the stacks set it up on AWS: a token the ui accepts (`SYNTHETIC_SHOPPER_TOKEN`)
 * and the canary reads from a secret (`SYNTHETIC_SHOPPER_SECRET_ID`), here made anew for each drill process and
 * answered by the Secrets Manager stand-in.
 */
export const DRILL_SYNTHETIC_SHOPPER = {
  secretId: 'drill/synthetic-shopper',
  token: randomBytes(24).toString('hex'),
} as const;

/** The environment the drill's services get for the synthetic shopper (the ui reads it; the others ignore it). */
export const SYNTHETIC_SHOPPER_SERVICE_ENV = { SYNTHETIC_SHOPPER_TOKEN: DRILL_SYNTHETIC_SHOPPER.token } as const;

/** What each canary run of the drill gets: the secret's id in its environment, and the secret. */
export const SYNTHETIC_SHOPPER_CANARY_RUN: CanaryRunOptions = {
  environment: { SYNTHETIC_SHOPPER_SECRET_ID: DRILL_SYNTHETIC_SHOPPER.secretId },
  secrets: { [DRILL_SYNTHETIC_SHOPPER.secretId]: DRILL_SYNTHETIC_SHOPPER.token },
};
