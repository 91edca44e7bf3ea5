import { setUpSandbox } from './temp-sandbox';

export default function globalSetup(): void {
  setUpSandbox();
}
