// GET /limits: the project's quota and what its instances use, counted from the cache.
import { route } from './env.js';
import { instanceUsage, limitsView } from './views/limits.js';

export const limitRoutes = [
  route({
    method: 'GET',
    path: '/v2.1/limits',
    summary: "Your project's quota and what it uses",
    auth: 'project',
    status: 200,
    errors: [],
    async handler({ env, session }) {
      const instances = await env.servers.list(session);
      const usage = {
        ...instanceUsage(instances, env.lookup),
        securityGroups: env.refs.securityGroups(session.namespace).length,
      };
      return limitsView(session.project.spec.quota, usage);
    },
  }),
];
