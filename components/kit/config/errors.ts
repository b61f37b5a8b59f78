import * as pulumi from "@pulumi/pulumi";

/** One problem with one config key: where it is, what is wrong, and what to set instead. */
export interface ConfigProblem {
  /** The key path as `pulumi config set --path` takes it, e.g. `prometheus.replicas`. */
  path: string;
  /** What is wrong, e.g. "must be a whole number of 0 or more, got -1". */
  problem: string;
  /** What to set, e.g. "set it with `pulumi config set --path prometheus.replicas 2`". */
  fix: string;
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.path}: ${p.problem}; ${p.fix}`;
}

/**
 * A user mistake in stack config. It is a RunError so that `pulumi up` prints the message
 * alone, without a stack trace, and stops before any resource is declared.
 */
export class ConfigError extends pulumi.RunError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const lines = problems.map(formatProblem);
    super(
      lines.length === 1
        ? `Invalid stack config: ${lines[0]}`
        : `Invalid stack config (${lines.length} problems):\n${lines.map((l) => `  - ${l}`).join("\n")}`,
    );
    this.name = "ConfigError";
    this.problems = problems;
  }
}
