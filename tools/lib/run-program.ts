import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { collapseAlias, createUrn } from "./urn";

/** The SDK's marker for a secret value in serialized properties. */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** What the text and JSON plans print in place of every secret value. */
export const SECRET_PLACEHOLDER = "[secret]";

/** One resource the program declared, as the engine would receive it. */
export interface DeclaredResource {
  type: string;
  name: string;
  /** The parent's name; absent for the stack's top-level resources. */
  parent?: string;
  /** Names of the resources in its explicit `dependsOn`. */
  dependsOn: string[];
  /** True for resources a provider creates; false for components. */
  custom: boolean;
  /**
   * True for an existing object the program looks up (`Secret.get`) instead of declaring: the
   * engine reads it in every preview and refresh. Absent for declared resources.
   */
  read?: boolean;
  /** The provider reference the engine would use, e.g. `kubernetes`; absent for components. */
  provider?: string;
  /** Its inputs, with every secret replaced by "[secret]". */
  inputs: Record<string, unknown>;
  /** The former type and name the engine also matches it by (`aliases`); absent when none. */
  aliases?: { type?: string; name?: string }[];
  /** Its URN as the engine computes it (see urn.ts). */
  urn: string;
  /** Its own aliases as URNs (collapsed under its new parent); absent when none. */
  aliasUrns?: string[];
  /** The resource options that decide what a delete does; absent when not set. */
  protect?: boolean;
  retainOnDelete?: boolean;
  /** Input paths the engine ignores when diffing; absent when none. */
  ignoreChanges?: string[];
}

export interface ProgramRun {
  resources: DeclaredResource[];
  /** The stack outputs, secrets replaced by "[secret]". */
  outputs: Record<string, unknown>;
  /**
   * What the program warned through `pulumi.log.warn`, which `pulumi preview` shows as warnings.
   * Kept here instead of printed, so tests assert them and their output stays clean.
   */
  warnings: string[];
}

export interface RunOptions {
  project: string;
  stack: string;
  /** Config as Pulumi passes it: `<namespace>:<key>` to a string (objects as JSON). */
  config: Record<string, string>;
  /** Keys (`<namespace>:<key>`) whose values are secrets. */
  secretKeys: string[];
  /** The program's entry module. Defaults to the project's index. */
  program?: string;
  /**
   * Fetch the community dashboards from `dashboards.source`, as `pulumi preview` does. Defaults to
   * false: the offline plan and the tests fetch nothing and show placeholders for them.
   */
  fetchDashboards?: boolean;
  /**
   * Keep secret values in the recorded inputs instead of "[secret]", for tests that must look
   * inside a Secret the program builds (a datasource's TLS settings). Defaults to false.
   */
  revealSecrets?: boolean;
}

/** The program's switch for fetching community dashboards (components/grafana/community-dashboards.ts). */
const OFFLINE_DASHBOARDS_ENV = "OBSERVABILITY_OFFLINE_DASHBOARDS";

/** Replaces the SDK's secret markers with "[secret]", recursively. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SIG_KEY] === SECRET_SIG) return SECRET_PLACEHOLDER;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) out[k] = redactSecrets(v);
    return out;
  }
  return value;
}

/** Replaces the SDK's secret markers with the values they wrap, recursively. */
function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SIG_KEY] === SECRET_SIG) return unwrapSecrets(obj["value"]);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) out[k] = unwrapSecrets(v);
    return out;
  }
  return value;
}

/** State the mocks return for resources whose outputs the program reads. */
function mockState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (type) {
    case "random:index/randomPassword:RandomPassword":
      // Deterministic, and never a real secret: the program marks it secret anyway.
      return { ...inputs, result: `mock-password-for-${name}` };
    default:
      return inputs;
  }
}

function projectRoot(): string {
  return path.resolve(__dirname, "..", "..");
}

/** Forget the program's own modules so that the next run declares everything afresh. */
function unloadProgram(root: string): void {
  for (const id of Object.keys(require.cache)) {
    if (id.startsWith(root) && !id.includes(`${path.sep}node_modules${path.sep}`)) {
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
      delete require.cache[id];
    }
  }
}

/**
 * Runs the program under the Pulumi mocks runtime, as `pulumi up` would run it but with no
 * engine, cluster or credentials, and returns every resource it declares with its inputs,
 * parent and explicit dependsOn. Strict: any provider function call fails the run.
 */
export async function runProgram(options: RunOptions): Promise<ProgramRun> {
  const inputs = new Map<
    string,
    { custom: boolean; read?: boolean; provider?: string; inputs: Record<string, unknown> }
  >();
  const keyOf = (type: string, name: string) => `${type}::${name}`;

  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        const redacted = (
          options.revealSecrets === true ? unwrapSecrets(args.inputs) : redactSecrets(args.inputs)
        ) as Record<string, unknown>;
        inputs.set(keyOf(args.type, args.name), {
          custom: args.custom ?? true,
          ...(args.id !== undefined && args.id !== "" ? { read: true } : {}),
          ...(args.provider ? { provider: providerName(args.provider) } : {}),
          inputs: redacted,
        });
        return {
          id: `${args.name}-id`,
          state: mockState(args.type, args.name, args.inputs as Record<string, unknown>),
        };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        throw new Error(`unexpected provider function call ${args.token} under mocks`);
      },
    },
    options.project,
    options.stack,
    false,
  );
  pulumi.runtime.setAllConfig(options.config, options.secretKeys);

  const order: {
    resource: pulumi.Resource;
    type: string;
    name: string;
    parent?: pulumi.Resource;
    dependsOn: pulumi.Resource[];
    aliases: { type?: string; name?: string }[];
    protect?: boolean;
    retainOnDelete?: boolean;
    ignoreChanges?: string[];
  }[] = [];
  const names = new Map<pulumi.Resource, string>();
  const root = projectRoot();
  const program = options.program ?? path.join(root, "index");

  const offlineBefore = process.env[OFFLINE_DASHBOARDS_ENV];
  if (options.fetchDashboards === true) {
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
    delete process.env[OFFLINE_DASHBOARDS_ENV];
  } else {
    process.env[OFFLINE_DASHBOARDS_ENV] = "1";
  }
  // Without an engine the SDK prints warnings to the console; the run records them instead.
  const warnings: string[] = [];
  const warn = pulumi.log.warn;
  pulumi.log.warn = (msg: string) => {
    warnings.push(msg);
    return Promise.resolve();
  };
  let rawOutputs: Record<string, unknown> | undefined;
  try {
    rawOutputs = await pulumi.runtime.runInPulumiStack(async () => {
      pulumi.runtime.registerStackTransformation((args) => {
        names.set(args.resource, args.name);
        const deps = args.opts.dependsOn;
        const dependsOn = (
          Array.isArray(deps) ? deps : deps === undefined ? [] : [deps]
        ) as pulumi.Resource[];
        order.push({
          resource: args.resource,
          type: args.type,
          name: args.name,
          ...(args.opts.parent !== undefined ? { parent: args.opts.parent } : {}),
          dependsOn,
          aliases: (args.opts.aliases ?? []).flatMap((a) => {
            // Only plain aliases are recorded: an alias given as a URN string, an Output or with another
            // parent is opaque here (none in this program).
            if (typeof a !== "object" || pulumi.Output.isInstance(a)) return [];
            const alias = a as pulumi.Alias;
            return [
              {
                ...(typeof alias.type === "string" ? { type: alias.type } : {}),
                ...(typeof alias.name === "string" ? { name: alias.name } : {}),
              },
            ];
          }),
          ...(typeof args.opts.protect === "boolean" ? { protect: args.opts.protect } : {}),
          ...(typeof args.opts.retainOnDelete === "boolean"
            ? { retainOnDelete: args.opts.retainOnDelete }
            : {}),
          ...(args.opts.ignoreChanges !== undefined && args.opts.ignoreChanges.length > 0
            ? { ignoreChanges: [...args.opts.ignoreChanges] }
            : {}),
        });
        return undefined;
      });
      unloadProgram(root);
      // require, not import(): the module cache it uses is the one unloadProgram clears.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(program) as unknown;
      // Like the CLI: a module that exports a function is the program, and its result the outputs.
      const exported = typeof mod === "function" ? await (mod as () => Promise<unknown>)() : mod;
      const outputs: Record<string, unknown> = {};
      const all = exported as Record<string, unknown>;
      for (const key of Object.keys(all).sort()) {
        if (key !== "default" && key !== "__esModule") outputs[key] = all[key];
      }
      return outputs;
    });
    await waitForRegistrations();
  } finally {
    pulumi.log.warn = warn;
  }
  if (offlineBefore === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
    delete process.env[OFFLINE_DASHBOARDS_ENV];
  } else {
    process.env[OFFLINE_DASHBOARDS_ENV] = offlineBefore;
  }

  // Parents register before their children, so one pass in order finds every parent's URN.
  const urns = new Map<pulumi.Resource, string>();
  const protects = new Map<pulumi.Resource, boolean>();
  const resources: DeclaredResource[] = order.map((o) => {
    const recorded = inputs.get(keyOf(o.type, o.name));
    const parentName = o.parent ? names.get(o.parent) : undefined;
    const parentUrn = o.parent ? urns.get(o.parent) : undefined;
    const urn = createUrn(options.stack, options.project, parentUrn, o.type, o.name);
    urns.set(o.resource, urn);
    // As the SDK does: a resource without its own `protect` takes its parent's.
    const protect = o.protect ?? (o.parent ? protects.get(o.parent) : undefined);
    if (protect !== undefined) protects.set(o.resource, protect);
    const aliasUrns = o.aliases.map((a) =>
      collapseAlias(
        options.stack,
        options.project,
        { ...(parentUrn !== undefined ? { parentUrn } : {}), type: o.type, name: o.name },
        a,
      ),
    );
    return {
      type: o.type,
      name: o.name,
      ...(parentName !== undefined ? { parent: parentName } : {}),
      dependsOn: o.dependsOn.map((d) => names.get(d) ?? "<unknown>"),
      custom: recorded?.custom ?? true,
      ...(recorded?.read === true ? { read: true } : {}),
      ...(recorded?.provider !== undefined ? { provider: recorded.provider } : {}),
      inputs: recorded?.inputs ?? {},
      ...(o.aliases.length > 0 ? { aliases: o.aliases } : {}),
      urn,
      ...(aliasUrns.length > 0 ? { aliasUrns } : {}),
      ...(protect !== undefined ? { protect } : {}),
      ...(o.retainOnDelete !== undefined ? { retainOnDelete: o.retainOnDelete } : {}),
      ...(o.ignoreChanges !== undefined ? { ignoreChanges: o.ignoreChanges } : {}),
    };
  });
  return { resources, outputs: redactSecrets(rawOutputs) as Record<string, unknown>, warnings };
}

/** `urn:pulumi:stack::project::pulumi:providers:kubernetes::kubernetes::id` -> `kubernetes`. */
function providerName(ref: string): string {
  const urn = ref.split("::").slice(0, -1).join("::");
  return urn.split("::").pop() ?? ref;
}

/** Lets the mock monitor finish every registration the program started. */
async function waitForRegistrations(): Promise<void> {
  // Not in the SDK's typings; the same wait `pulumi up` does before it disconnects.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
  await settings.waitForRPCs();
}
