// GitLab's slugs (CI_COMMIT_REF_SLUG, CI_JOB_NAME_SLUG, CI_PROJECT_PATH_SLUG): lower-case,
// anything outside [a-z0-9] becomes '-', at most 63 bytes, no leading or trailing '-'.

export function slugify(text: string, maxLength = 63): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '-')
    .slice(0, maxLength)
    .replace(/^-+|-+$/g, '');
}

/** A file-name-safe slug of a job name that stays unique for names that slug alike (`build 1/2`, `build:1:2`). */
export function jobSlug(name: string): string {
  const slug = slugify(name) || 'job';
  if (slug === name) return slug;
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.codePointAt(0)!) >>> 0;
  return `${slug}-${hash.toString(36).slice(0, 5)}`;
}
