import { tearDownSandbox } from './temp-sandbox';

export default function globalTeardown(): void {
  tearDownSandbox();
}
