// GET /limits: the project's quota and what its instances use, counted from the cache.
import type { InstanceObject } from '../../kinds/instance.js';
import { authorize } from '../common.js';
import type { Handler } from './context.js';
import { instanceUsage, limitsView } from './views/limits.js';

export const showLimits: Handler = async ({ deps, session, lookup }) => {
  await authorize(deps, session, { verb: 'list', resource: 'instances', namespace: session.namespace });
  const instances = deps.cache.list<InstanceObject>('instances', session.namespace);
  const usage = {
    ...instanceUsage(instances, lookup),
    securityGroups: deps.cache.list('securityGroups', session.namespace).length,
  };
  return { body: limitsView(session.project.spec.quota, usage) };
};
