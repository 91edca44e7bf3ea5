import { crashResumeSuite } from './crash-resume-suite';

crashResumeSuite([
  'failback to us-east-1 after an unplanned failover, the ARC control plane down',
  'recover in us-west-2 after an unplanned failover, us-east-1 back, the ARC control plane down',
  'readiness of us-west-2 with the ARC control plane down',
]);
