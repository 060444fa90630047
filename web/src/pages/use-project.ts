import { enc } from '../api.js';
import { useApp } from '../app-context.js';
import { useLoad, type Loaded } from '../ui/hooks.js';
import type { Project } from '../types.js';

/** The project of a page URL (`group/name`), loaded by path. */
export function useProject(path: string): Loaded<Project> {
  const { api } = useApp();
  return useLoad((signal) => api.get<Project>(`/api/v4/projects/${enc(path)}`, signal), [path]);
}
