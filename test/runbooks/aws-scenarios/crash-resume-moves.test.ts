import { crashResumeSuite } from './crash-resume-suite';

crashResumeSuite([
  'failover us-east-1 → us-west-2 with us-east-1 down and the ARC control plane down',
  'failover us-east-1 → us-west-2 with us-east-1 half alive (its APIs answer: the fence scales its writers to 0)',
  'switchover us-east-1 → us-west-2 with the ARC control plane down',
]);
