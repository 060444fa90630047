import { describe, expect, it } from 'vitest';
import type { ProjectRecord } from '../store/store.js';
import { projectForRepository } from './registry-access.js';

const project = (id: number, fullPath: string): ProjectRecord => ({
  id, name: fullPath, path: fullPath.split('/').at(-1)!, namespacePath: fullPath.split('/').slice(0, -1).join('/'), fullPath,
  description: '', defaultBranch: 'main', visibility: 'private', ciConfigPath: '.gitlab-ci.yml', creatorId: 1, createdAt: '',
});

describe('projectForRepository', () => {
  const projects = [project(1, 'Grp/App'), project(2, 'grp/app/nested'), project(3, 'solo/x')];
  it('takes the longest leading project path, case-insensitively, with up to two more components', () => {
    expect(projectForRepository(projects, 'grp/app')?.id).toBe(1);
    expect(projectForRepository(projects, 'grp/app/cache/x')?.id).toBe(1);
    expect(projectForRepository(projects, 'grp/app/nested/img')?.id).toBe(2);
    expect(projectForRepository(projects, 'grp/app/a/b/c')).toBeUndefined();
    expect(projectForRepository(projects, 'grp')).toBeUndefined();
  });
  it('refuses names that are no valid repository names (traversal, uppercase, empty parts)', () => {
    for (const bad of ['grp/app/../x', 'Grp/App', 'grp//app', '/grp/app', 'grp/app/', '..']) expect(projectForRepository(projects, bad), bad).toBeUndefined();
  });
});
