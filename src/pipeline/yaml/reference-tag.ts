// An unresolved `!reference [job, key, ...]` tag, kept as a leaf until extends are applied.
import { rubyInspect } from './plain-data.js';

export class ReferenceTag {
  /** The tag as GitLab prints it in messages, e.g. `!reference [".setup", "script"]`. */
  readonly display: string;

  constructor(
    /** The raw tagged value: an array of strings when valid. */
    readonly raw: unknown,
  ) {
    this.display = `!reference ${rubyInspect(raw)}`;
  }

  /** GitLab accepts only a non-empty sequence of strings. */
  get location(): string[] | undefined {
    const raw = this.raw;
    if (!Array.isArray(raw) || raw.length === 0 || !raw.every((s) => typeof s === 'string')) return undefined;
    return raw as string[];
  }
}
