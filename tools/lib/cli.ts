/**
 * The small command-line surface the tools share: `--name value` or `--name=value` options that
 * are all required, boolean flags, and `--help`. A mistake prints one line and the usage, and
 * exits 2; a tool's own failure is its business.
 */
export interface CliSpec<V extends string, F extends string, O extends string = never> {
  usage: string;
  /** Options that take a value; every one is required. */
  values: readonly V[];
  /** Options that take a value and may be left out. */
  optional?: readonly O[];
  /** Boolean flags. */
  flags: readonly F[];
}

export type CliArgs<V extends string, F extends string, O extends string = never> =
  | {
      kind: "run";
      values: Record<V, string>;
      optional: Partial<Record<O, string>>;
      flags: Record<F, boolean>;
    }
  | { kind: "exit"; code: number };

export function parseCli<V extends string, F extends string, O extends string = never>(
  argv: readonly string[],
  spec: CliSpec<V, F, O>,
): CliArgs<V, F, O> {
  const values: Partial<Record<V, string>> = {};
  const optional: Partial<Record<O, string>> = {};
  const flags = Object.fromEntries(spec.flags.map((f) => [f, false])) as Record<F, boolean>;
  const fail = (message: string): CliArgs<V, F, O> => {
    process.stderr.write(`${message}\n${spec.usage}\n`);
    return { kind: "exit", code: 2 };
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--help" || arg === "-h") {
      process.stdout.write(`${spec.usage}\n`);
      return { kind: "exit", code: 0 };
    }
    const [name, inline] = arg.startsWith("--")
      ? [arg.slice(2).split("=")[0] ?? "", arg.includes("=")]
      : ["", false];
    if ((spec.flags as readonly string[]).includes(name) && !inline) {
      flags[name as F] = true;
    } else if ((spec.values as readonly string[]).includes(name)) {
      values[name as V] = inline ? arg.slice(arg.indexOf("=") + 1) : argv[++i];
    } else if (((spec.optional ?? []) as readonly string[]).includes(name)) {
      const value = inline ? arg.slice(arg.indexOf("=") + 1) : argv[++i];
      if (value === undefined || value === "") return fail(`--${name} needs a value`);
      optional[name as O] = value;
    } else {
      return fail(`unknown argument ${arg}`);
    }
  }
  for (const name of spec.values) {
    if (values[name] === undefined || values[name] === "") return fail(`--${name} is required`);
  }
  return { kind: "run", values: values as Record<V, string>, optional, flags };
}

/** Runs a tool's main and exits with its code once stdout has drained (a large plan to a pipe). */
export function runMain(main: () => Promise<number>): void {
  main().then(
    (code) => process.stdout.write("", () => process.exit(code)),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
