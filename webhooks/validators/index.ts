// Every kind's admission rules. The server dispatches by resource plural. Flavors need
// none: they reference nothing, and Nova lets in-use flavors be deleted (instances keep a
// copy of what they booted with).
import type { KindAdmission } from '../context.js';
import { floatingIPAdmission } from './floatingip.js';
import { imageAdmission } from './image.js';
import { instanceAdmission } from './instance.js';
import { keyPairAdmission } from './keypair.js';
import { networkAdmission } from './network.js';
import { portAdmission } from './port.js';
import { projectAdmission } from './project.js';
import { routerAdmission } from './router.js';
import { securityGroupAdmission } from './securitygroup.js';
import { snapshotAdmission } from './snapshot.js';
import { subnetAdmission } from './subnet.js';
import { userAdmission } from './user.js';
import { volumeAdmission } from './volume.js';

export const admissions: KindAdmission[] = [
  instanceAdmission,
  projectAdmission,
  userAdmission,
  imageAdmission,
  keyPairAdmission,
  volumeAdmission,
  snapshotAdmission,
  networkAdmission,
  subnetAdmission,
  routerAdmission,
  portAdmission,
  floatingIPAdmission,
  securityGroupAdmission,
];
