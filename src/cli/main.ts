// The composition root of the `drydock` command: builds the commander program from one module per
// subcommand. Each register* function adds its command and constructs what it needs.
import { Command, CommanderError } from 'commander';
import type { CommandRegistrar } from './command-registrar.js';

export type { CommandRegistrar };

const registrars: Array<() => Promise<{ default: CommandRegistrar }>> = [
  () => import('./lint-command.js'),
  () => import('./run-command.js'),
  () => import('./cleanup-command.js'),
  () => import('./server-command.js'),
];

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command('drydock')
    .description('GitLab-style CI/CD: run .gitlab-ci.yml pipelines locally, with a runner, or on a server')
    .version(await packageVersion())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const load of registrars) {
    const mod = await load();
    mod.default(program, (code) => { exitCode = code; });
  }
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  return exitCode;
}

async function packageVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const url = new URL('../../package.json', import.meta.url);
  return (JSON.parse(await readFile(url, 'utf8')) as { version: string }).version;
}
