import { stringify } from "yaml";
import { DeclaredResource, ProgramRun, runProgram } from "./run-program";
import { readStackConfig, StackConfigInput } from "./stack-file";

/** The offline plan: what `pulumi up` of a stack would send, resolved without a cluster. */
export interface PlanDocument {
  stack: string;
  /** The Pulumi project, the second part of every URN. Absent in plans made before URNs were recorded. */
  project?: string;
  resources: PlanResource[];
  outputs: Record<string, unknown>;
}

export interface PlanResource {
  /**
   * The URN the engine gives it: `urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>`.
   * Absent in plans made before URNs were recorded; plan:diff then computes it from the parents.
   */
  urn?: string;
  type: string;
  name: string;
  /** The URNs the engine also finds it by in the old state (its own `aliases`); absent when none. */
  aliases?: string[];
  /** Set when the resource carries `protect` (its own or its parent's). */
  protect?: boolean;
  /** Set when the resource carries `retainOnDelete`: a delete leaves the object in the cluster. */
  retainOnDelete?: boolean;
  /** Input paths the engine ignores when diffing (`ignoreChanges`). */
  ignoreChanges?: string[];
  parent?: string;
  dependsOn: string[];
  provider?: string;
  inputs: Record<string, unknown>;
}

/** A copy with every object's keys in sorted order, so equal plans print equal bytes. */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort())
      out[key] = canonical((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

function toPlanResource(r: DeclaredResource): PlanResource {
  return {
    urn: r.urn,
    type: r.type,
    name: r.name,
    ...(r.aliasUrns !== undefined ? { aliases: r.aliasUrns } : {}),
    ...(r.protect !== undefined ? { protect: r.protect } : {}),
    ...(r.retainOnDelete !== undefined ? { retainOnDelete: r.retainOnDelete } : {}),
    ...(r.ignoreChanges !== undefined ? { ignoreChanges: r.ignoreChanges } : {}),
    ...(r.parent !== undefined ? { parent: r.parent } : {}),
    dependsOn: r.dependsOn,
    ...(r.provider !== undefined ? { provider: r.provider } : {}),
    inputs: canonical(r.inputs) as Record<string, unknown>,
  };
}

/** Runs the program under mocks with the stack's real config file and collects the plan. */
export async function buildPlan(dir: string, stack: string): Promise<PlanDocument> {
  return planOf(readStackConfig(dir, stack));
}

/** The plan of the program under this config (a stack file's, possibly with overrides). */
export async function planOf(input: StackConfigInput): Promise<PlanDocument> {
  return (await planWithWarnings(input)).plan;
}

/** The plan, and the warnings `pulumi preview` would show with it (printed apart from the plan). */
export async function planWithWarnings(
  input: StackConfigInput,
): Promise<{ plan: PlanDocument; warnings: string[] }> {
  const run = await runProgram(input);
  return { plan: planFromRun(input, run), warnings: run.warnings };
}

/** The plan of one run of the program under mocks (pure: the same run gives the same plan). */
export function planFromRun(input: StackConfigInput, run: ProgramRun): PlanDocument {
  return {
    stack: input.stack,
    project: input.project,
    resources: run.resources.map(toPlanResource),
    outputs: canonical(run.outputs) as Record<string, unknown>,
  };
}

export function renderJson(plan: PlanDocument): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

function indent(text: string, by: string): string {
  return text
    .trimEnd()
    .split("\n")
    .map((l) => `${by}${l}`)
    .join("\n");
}

function describeRelease(r: PlanResource, pad: string): string[] {
  const i = r.inputs;
  const repo = (i["repositoryOpts"] as { repo?: string } | undefined)?.repo;
  const chart = String(i["chart"]);
  const lines = [
    `${pad}release ${String(i["name"])} in namespace ${String(i["namespace"])}`,
    `${pad}chart   ${chart} ${String(i["version"])}${repo !== undefined ? ` from ${repo}` : ""}`,
  ];
  const values = i["values"];
  if (values !== null && typeof values === "object" && Object.keys(values).length > 0) {
    lines.push(`${pad}values:`, indent(stringify(values, { sortMapEntries: true }), `${pad}  `));
  } else {
    lines.push(`${pad}values: {} (chart defaults)`);
  }
  return lines;
}

/** The plan as an indented tree, children under their parent, for a human reviewer. */
export function renderText(plan: PlanDocument): string {
  const children = new Map<string | undefined, PlanResource[]>();
  for (const r of plan.resources) {
    const list = children.get(r.parent) ?? [];
    list.push(r);
    children.set(r.parent, list);
  }
  const out: string[] = [
    `Offline plan of stack "${plan.stack}": ${plan.resources.length} resources. Secrets show as [secret].`,
    `Long: page it with \`npm run --silent plan -- --stack ${plan.stack} | less\`, or ask for \`--json\` and query it (jq).`,
    "",
  ];
  const walk = (parent: string | undefined, depth: number): void => {
    for (const r of children.get(parent) ?? []) {
      const pad = "  ".repeat(depth);
      out.push(`${pad}${r.type}  ${r.name}`);
      const detail = `${pad}    `;
      if (r.dependsOn.length > 0) out.push(`${detail}dependsOn ${r.dependsOn.join(", ")}`);
      if (r.type === HELM_RELEASE) {
        out.push(...describeRelease(r, detail));
      } else if (Object.keys(r.inputs).length > 0) {
        out.push(indent(stringify(r.inputs, { sortMapEntries: true }), detail));
      }
      walk(r.name, depth + 1);
    }
  };
  walk(undefined, 0);
  out.push("", "Outputs:", indent(stringify(plan.outputs, { sortMapEntries: true }), "  "), "");
  return out.join("\n");
}
