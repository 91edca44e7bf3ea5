import { ManualClock } from '../../../runbooks/adapters/local/manual-clock';
import { AwsModel, type AwsModelOptions } from './aws-model';
import { type ShopFixture, type ShopSeedOptions, seedShop } from './shop-seed';

/** A seeded, installed model on a manual clock: what the model's own tests start from. */
export interface ModelUnderTest {
  readonly clock: ManualClock;
  readonly model: AwsModel;
  readonly shop: ShopFixture;
}

/**
 * Creates the model with the shop seeded and installs it; restore it with `model.restore()` (the tests do it in
 * `afterEach`).
 */
export function modelUnderTest(
  options: Omit<AwsModelOptions, 'clock'> & { readonly seed?: ShopSeedOptions } = {},
): ModelUnderTest {
  const clock = new ManualClock('2026-01-27T10:00:00.000Z');
  const model = new AwsModel({ ...options, clock });
  const shop = seedShop(model, options.seed);
  model.install();
  return { clock, model, shop };
}

/** `clock.advance` in seconds. */
export function advance(clock: ManualClock, seconds: number): void {
  clock.advance(seconds * 1000);
}
