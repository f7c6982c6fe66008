import { describe, expect, it } from 'vitest';
import { projectSpec, type ProjectObject } from '../../../kinds/project.js';
import { projectName, projectsView, projectView } from './project.js';

const project = (name: string, spec: Record<string, unknown>): ProjectObject => ({
  apiVersion: 'stratus.dev/v1alpha1',
  kind: 'Project',
  metadata: { name, uid: `uid-${name}` },
  spec: projectSpec.parse(spec),
});

describe('the project view', () => {
  it('shows a Project as Keystone does: the uid as id, the display name as name', () => {
    const demo = project('demo', { displayName: 'Demo', description: 'the demo', tags: ['a'] });
    expect(projectView(demo, 'https://cloud')).toEqual({
      id: 'uid-demo',
      name: 'Demo',
      domain_id: 'default',
      description: 'the demo',
      enabled: true,
      parent_id: 'default',
      is_domain: false,
      tags: ['a'],
      options: {},
      links: { self: 'https://cloud/identity/v3/projects/uid-demo' },
    });
  });

  it('names a project without a display name by its object name', () => {
    const plain = project('plain', { enabled: false });
    expect(projectName(plain)).toBe('plain');
    expect(projectView(plain, 'https://cloud')).toMatchObject({ description: '', enabled: false, tags: [] });
  });

  it('lists projects without paging links', () => {
    const body = projectsView([project('a', {}), project('b', {})], 'https://cloud', 'https://cloud/x');
    expect(body.projects.map((p) => p.id)).toEqual(['uid-a', 'uid-b']);
    expect(body.links).toEqual({ self: 'https://cloud/x', previous: null, next: null });
  });
});
