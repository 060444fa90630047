// The second Ctrl-C: drydock exits at once, and must not leave job shells behind. Jobs run in
// their own process groups (children of this process), so each child's group is killed.
import { readdirSync, readFileSync } from 'node:fs';

/** Kills the process group of every direct child of this process (Linux /proc); returns how many. */
export function killChildProcessGroups(parentPid = process.pid): number {
  let killed = 0;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return 0; // no /proc (not Linux): nothing we can find
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid ...; comm may contain spaces and parentheses, so split after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid !== parentPid) continue;
    const pid = Number(name);
    try {
      process.kill(-pid, 'SIGKILL');
      killed++;
    } catch {
      try {
        process.kill(pid, 'SIGKILL');
        killed++;
      } catch {
        // already gone
      }
    }
  }
  return killed;
}
