// The REST shapes the pages read (subsets of GitLab's entities).
export interface Project {
  id: number;
  name: string;
  path_with_namespace: string;
  description: string | null;
  default_branch: string;
  http_url_to_repo: string;
  visibility: string;
  created_at: string;
}

export interface User {
  id: number;
  username: string;
  name: string;
}

export interface Pipeline {
  id: number;
  iid: number;
  project_id: number;
  sha: string;
  ref: string;
  status: string;
  source: string;
  created_at: string;
  updated_at: string;
  name: string | null;
  user?: User | null;
  duration?: number | null;
  started_at?: string | null;
  finished_at?: string | null;
  yaml_errors?: string | null;
}

export interface Job {
  id: number;
  name: string;
  stage: string;
  status: string;
  ref: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration: number | null;
  queued_duration: number | null;
  allow_failure: boolean;
  failure_reason?: string;
  user: User | null;
  commit: { id: string; short_id: string; title: string };
  pipeline: Pipeline;
  runner: { id: number; description: string } | null;
  artifacts: { file_type: string; size: number; filename: string }[];
  artifacts_file?: { filename: string; size: number };
  artifacts_expire_at: string | null;
  tag_list: string[];
  retried?: boolean;
  when?: string;
}

/** From /-/ui/api: what the job entity does not carry. */
export interface JobDetails {
  id: number;
  name: string;
  stage: string;
  stage_index: number;
  needs: string[] | null;
  image: string | null;
  services: { name: string; alias: string | null }[];
  tags: string[];
  timeout_seconds: number | null;
  when: string;
  /** Trigger jobs: the child pipeline they created (null when none was). */
  downstream_pipeline?: { id: number; status: string } | null;
}

export interface Variable {
  key: string;
  value: string;
  variable_type: string;
  protected: boolean;
  masked: boolean;
  raw: boolean;
  environment_scope: string;
  description: string | null;
}

export interface Runner {
  id: number;
  description: string;
  active?: boolean;
  paused?: boolean;
  status?: string;
  online?: boolean;
  runner_type?: string;
  is_shared?: boolean;
  tag_list?: string[];
  contacted_at?: string | null;
}

export interface RegistryRepository {
  id: number;
  name: string;
  path: string;
  location: string;
  created_at?: string;
  tags_count?: number;
}

export interface RegistryTag {
  name: string;
  path: string;
  location: string;
  digest?: string;
  total_size?: number;
  created_at?: string;
}
