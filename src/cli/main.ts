// The composition root of the `drydock` command: builds the commander program from one module per
// subcommand. Each register* function adds its command and constructs what it needs.
import { Command, CommanderError } from 'commander';
import type { CommandRegistrar } from './command-registrar.js';

export type { CommandRegistrar };

type RegistrarModule = () => Promise<{ default: CommandRegistrar }>;

// Only the module of the command being run is loaded (the server pulls in fastify and SQLite, the
// cleanup command dockerode): start-up time is part of every `drydock run`.
const registrars: Array<{ commands: string[]; load: RegistrarModule }> = [
  { commands: ['lint'], load: () => import('./lint-command.js') },
  { commands: ['run'], load: () => import('./run-command.js') },
  { commands: ['cleanup'], load: () => import('./cleanup-command.js') },
  { commands: ['registry'], load: () => import('./registry-command.js') },
  { commands: ['server', 'project'], load: () => import('./server-command.js') },
  { commands: ['pipeline', 'job'], load: () => import('./pipeline-command.js') },
  { commands: ['runner'], load: () => import('./runner-command.js') },
];

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command('drydock')
    .description('GitLab-style CI/CD: run .gitlab-ci.yml pipelines locally, with a runner, or on a server')
    .version(await packageVersion())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const name = argv.slice(2).find((arg) => !arg.startsWith('-'));
  const chosen = registrars.filter((r) => name !== undefined && r.commands.includes(name));
  // Help, --version or an unknown command: every command must be known to commander.
  for (const { load } of chosen.length > 0 ? chosen : registrars) {
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
