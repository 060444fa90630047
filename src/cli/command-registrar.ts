// The shape of one subcommand module: it adds its command to the program and reports an exit code.
import type { Command } from 'commander';

export type CommandRegistrar = (program: Command, setExitCode: (code: number) => void) => void;
