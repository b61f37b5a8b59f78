/**
 * The plan diff: `npm run plan:diff -- --stack <name> --base <git-ref> [--json]` builds the
 * offline plan of the stack at a git revision and in the working tree and prints what differs,
 * resource by resource, what the engine would replace or delete first: Markdown for a pull request
 * comment, or JSON. `--fail-on-data-loss` exits 3 when a resource that holds data would be
 * replaced, or deleted without being retained. `--render` adds, for each release whose values or
 * chart change, the Kubernetes objects its chart renders differently (helm template). The base is built by its
 * own tools/plan.ts in a temporary copy of that revision, with this checkout's node_modules.
 */
import { parseCli, runMain } from "./lib/cli";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { buildPlan, PlanDocument } from "./lib/plan";
import {
  diffPlans,
  diffRendered,
  locate,
  PlanDiff,
  renderJson,
  renderedDataLoss,
  renderMarkdown,
  secretConfigChanges,
} from "./lib/plan-diff";
import { crdChanges } from "./lib/crd-diff";
import { findHelm, renderRelease } from "./lib/render";
import { findProjectDir, StackFileError } from "./lib/stack-file";

const USAGE =
  "usage: npm run plan:diff -- --stack <name> --base <git-ref> [--json] [--fail-on-data-loss] [--render]";

/**
 * The exit code of `--fail-on-data-loss` when a resource that holds data would be replaced, or
 * deleted without being retained: the diff is printed all the same.
 */
const DATA_LOSS_EXIT = 3;

/** Why a diff could not be made (a bad ref, a plan that fails): printed without a stack trace. */
class DiffError extends Error {}

/** Plans are a few hundred KiB; the archive of a revision a few MiB. */
const MAX_BUFFER = 256 * 1024 * 1024;

function git(dir: string, args: string[]): { ok: boolean; stdout: Buffer; stderr: string } {
  const r = spawnSync("git", args, { cwd: dir, maxBuffer: MAX_BUFFER });
  if (r.error) throw new DiffError(`cannot run git: ${r.error.message}`);
  return { ok: r.status === 0, stdout: r.stdout, stderr: r.stderr.toString("utf8").trim() };
}

function resolveCommit(dir: string, ref: string): string {
  // A ref that starts with "-" would be read as an option.
  if (ref.startsWith("-")) throw new DiffError(`--base ${ref}: not a git revision`);
  const r = git(dir, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  if (!r.ok) {
    const inRepo = git(dir, ["rev-parse", "--git-dir"]);
    if (!inRepo.ok)
      throw new DiffError(`--base ${ref}: ${dir} is not in a git repository (${inRepo.stderr})`);
    throw new DiffError(`--base ${ref}: no such commit in this repository`);
  }
  return r.stdout.toString("utf8").trim();
}

/**
 * Writes the project folder as it is at `commit` into `into`. `git archive` rather than a
 * worktree: it leaves nothing in the repository's own metadata, even when interrupted.
 */
function extractRevision(dir: string, commit: string, ref: string, into: string): void {
  const prefix = git(dir, ["rev-parse", "--show-prefix"]).stdout.toString("utf8").trim();
  const tree = prefix === "" ? commit : `${commit}:${prefix.replace(/\/$/, "")}`;
  const archive = git(dir, ["archive", "--format=tar", tree]);
  if (!archive.ok)
    throw new DiffError(`--base ${ref}: cannot read the project at that revision (${archive.stderr})`);
  const tar = spawnSync("tar", ["-x", "-C", into], { input: archive.stdout, maxBuffer: MAX_BUFFER });
  if (tar.error) throw new DiffError(`cannot run tar: ${tar.error.message}`);
  if (tar.status !== 0)
    throw new DiffError(`tar could not unpack ${ref}: ${tar.stderr.toString("utf8").trim()}`);
}

function isPlanDocument(v: unknown): v is PlanDocument {
  if (v === null || typeof v !== "object") return false;
  const doc = v as Record<string, unknown>;
  return (
    typeof doc["stack"] === "string" &&
    Array.isArray(doc["resources"]) &&
    doc["resources"].every((r: unknown) => {
      const res = r as Record<string, unknown> | null;
      return (
        res !== null &&
        typeof res["type"] === "string" &&
        typeof res["name"] === "string" &&
        Array.isArray(res["dependsOn"]) &&
        typeof res["inputs"] === "object"
      );
    }) &&
    typeof doc["outputs"] === "object"
  );
}

/** Runs the base revision's own plan (`tools/plan.ts --json`) in its checkout. */
function basePlan(baseDir: string, projectDir: string, stack: string, label: string): PlanDocument {
  if (!fs.existsSync(path.join(baseDir, "tools", "plan.ts"))) {
    throw new DiffError(
      `base ${label} has no tools/plan.ts: it predates the offline plan, so there is nothing to diff against`,
    );
  }
  fs.symlinkSync(path.join(projectDir, "node_modules"), path.join(baseDir, "node_modules"), "dir");
  const tsx = require.resolve("tsx/cli", { paths: [projectDir] });
  const r = spawnSync(process.execPath, [tsx, path.join("tools", "plan.ts"), "--stack", stack, "--json"], {
    cwd: baseDir,
    encoding: "utf8",
    maxBuffer: MAX_BUFFER,
  });
  if (r.error) throw new DiffError(`cannot run the plan of base ${label}: ${r.error.message}`);
  if (r.status !== 0) {
    const why = r.stderr.trim() === "" ? `exit code ${String(r.status)}` : r.stderr.trim();
    throw new DiffError(`the plan of base ${label} failed:\n${why}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    throw new DiffError(`the plan of base ${label} did not print a JSON plan`);
  }
  if (!isPlanDocument(doc)) throw new DiffError(`the plan of base ${label} is not a plan document`);
  return doc;
}

async function headPlan(projectDir: string, stack: string): Promise<PlanDocument> {
  try {
    return await buildPlan(projectDir, stack);
  } catch (err) {
    // A config mistake (a RunError, see tools/plan.ts) gets its message alone; anything else keeps
    // its stack trace.
    const why =
      pulumi.RunError.isInstance(err) || err instanceof StackFileError
        ? err.message
        : err instanceof Error
          ? (err.stack ?? err.message)
          : String(err);
    throw new DiffError(`the plan of the working tree failed:\n${why}`);
  }
}

function readIfExists(file: string): string {
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
}

/**
 * `--render`: every changed release whose values or chart version differ is rendered on both
 * sides with `helm template`, and the objects that differ are attached to its change. Charts come
 * from each release's repository, or from `$PLAN_DIFF_CHARTS` (a Helm repository serving every
 * chart by name, e.g. ../shared/charts served on 127.0.0.1).
 */
function attachRendered(result: PlanDiff, base: PlanDocument, head: PlanDocument, projectDir: string): void {
  const project = head.project ?? base.project ?? "observability";
  const before = new Map(locate(base, project, "base").map((r) => [r.urn, r]));
  const after = new Map(locate(head, project, "head").map((r) => [r.urn, r]));
  const releases = result.changed.filter(
    (c) => c.release !== undefined && (c.values.length > 0 || c.chartVersion !== undefined),
  );
  if (releases.length === 0) return;
  const helm = findHelm(projectDir);
  const repo = process.env["PLAN_DIFF_CHARTS"];
  const override = repo !== undefined && repo !== "" ? repo : undefined;
  for (const change of releases) {
    const old = before.get(change.previousUrn ?? change.urn);
    const now = after.get(change.urn);
    if (old === undefined || now === undefined) continue;
    try {
      const before = renderRelease(helm, old, override);
      const after = renderRelease(helm, now, override);
      // A CRD's schema diff is thousands of lines; it is summarised once, first (crds below).
      const crds = crdChanges(change.name, before, after);
      if (crds.length > 0) result.crds = [...(result.crds ?? []), ...crds];
      change.objects = diffRendered(before, after).map((o) =>
        o.id.includes(" CustomResourceDefinition ") && o.change === "changed" ? { ...o, fields: [] } : o,
      );
    } catch (err) {
      change.renderError = err instanceof Error ? err.message : String(err);
    }
  }
  if (renderedDataLoss(result)) result.dataAtRisk = true;
}

async function diff(
  stack: string,
  ref: string,
  json: boolean,
  render: boolean,
): Promise<{ text: string; dataAtRisk: boolean }> {
  const projectDir = findProjectDir(__dirname);
  const commit = resolveCommit(projectDir, ref);
  const label = `${ref} (${commit.slice(0, 7)})`;
  // The working tree first: when it is broken, there is no need to build the base.
  const head = await headPlan(projectDir, stack);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-"));
  try {
    extractRevision(projectDir, commit, ref, tmp);
    const base = basePlan(tmp, projectDir, stack, label);
    const stackFile = `Pulumi.${stack}.yaml`;
    const result = diffPlans(base, head, {
      base: label,
      head: "working tree",
      secretConfig: secretConfigChanges(
        readIfExists(path.join(tmp, stackFile)),
        readIfExists(path.join(projectDir, stackFile)),
      ),
    });
    if (render) attachRendered(result, base, head, projectDir);
    return { text: json ? renderJson(result) : renderMarkdown(result), dataAtRisk: result.dataAtRisk };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<number> {
  const args = parseCli(argv, {
    usage: USAGE,
    values: ["stack", "base"],
    flags: ["json", "fail-on-data-loss", "render"],
  });
  if (args.kind === "exit") return args.code;
  const { stack, base } = args.values;
  const { json } = args.flags;
  try {
    const { text, dataAtRisk } = await diff(stack, base, json, args.flags.render);
    process.stdout.write(text);
    if (dataAtRisk && args.flags["fail-on-data-loss"]) {
      process.stderr.write(
        `plan:diff: stack ${stack}: a resource that holds data would be replaced or deleted (see "Replaced or deleted")\n`,
      );
      return DATA_LOSS_EXIT;
    }
    return 0;
  } catch (err) {
    if (err instanceof DiffError) {
      process.stderr.write(`plan:diff: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

runMain(() => main(process.argv.slice(2)));
