// Entry point of the OpenStack API: Keystone, Nova, Glance and Neutron on one listener.
import { runOpenStackApiProcess } from '../operator/openstack/process.js';
import { runProcess } from './run.js';

runProcess('openstack-api', runOpenStackApiProcess);
