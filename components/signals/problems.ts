import * as pulumi from "@pulumi/pulumi";

/** One problem with one file: which file, where in it, what is wrong, and what to do. */
export interface FileProblem {
  /** The file's path as the repository shows it, e.g. `signals/dashboards/Shop/shop.json`. */
  file: string;
  /** Where in the file, e.g. `groups[0].rules[1].for` or `panels[2].datasource`. Absent: the whole file. */
  at?: string;
  problem: string;
  fix: string;
}

/** One line: `<file>: <where>: <problem>; <fix>`. */
export function formatFileProblem(p: FileProblem): string {
  return `${p.file}: ${p.at !== undefined ? `${p.at}: ` : ""}${p.problem}; ${p.fix}`;
}

/**
 * Dashboard or rule files that cannot be shipped. A RunError, so `pulumi preview` prints one line
 * per problem without a stack trace and stops before anything is declared.
 */
export class SignalsFileError extends pulumi.RunError {
  readonly problems: readonly FileProblem[];

  constructor(problems: readonly FileProblem[]) {
    const lines = problems.map(formatFileProblem);
    super(
      lines.length === 1
        ? `Invalid signal file: ${lines[0]}`
        : `Invalid signal files (${lines.length} problems):\n${lines.map((l) => `  - ${l}`).join("\n")}`,
    );
    this.name = "SignalsFileError";
    this.problems = problems;
  }
}
