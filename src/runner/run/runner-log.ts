// What the runner loop tells its operator (not the job log). The CLI prints it; tests collect it.
export interface RunnerLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
