// A Project CR as Keystone shows a project: its id is the object's uid.
import type { ProjectObject } from '../../../kinds/project.js';
import { DOMAIN } from './domain.js';

/** A project's Keystone name: its display name, else the object (and namespace) name. */
export const projectName = (project: ProjectObject): string =>
  project.spec.displayName || project.metadata.name!;

export function projectView(project: ProjectObject, base: string) {
  const id = project.metadata.uid!;
  return {
    id,
    name: projectName(project),
    domain_id: DOMAIN.id,
    description: project.spec.description ?? '',
    enabled: project.spec.enabled,
    parent_id: DOMAIN.id,
    is_domain: false,
    tags: project.spec.tags ?? [],
    options: {},
    links: { self: `${base}/identity/v3/projects/${id}` },
  };
}

/** Keystone's list body: the projects and links without paging (lists are never cut). */
export function projectsView(projects: readonly ProjectObject[], base: string, self: string) {
  return {
    projects: projects.map((p) => projectView(p, base)),
    links: { self, previous: null, next: null },
  };
}
