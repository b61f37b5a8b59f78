/**
 * `npm run recover -- --stack <name>`: repairs a stack whose `pulumi up` was cut short (CI timeout,
 * Ctrl-C, a lost runner), without asking anything, printing each step. docs/runbooks.md, "When
 * `pulumi up` was interrupted", says what it touches and what it does not.
 *
 *   1. The lock (DIY backends on file://): removed only when the process that took it is gone.
 *   2. Helm: every release of the stack stuck in pending-install, pending-upgrade or
 *      pending-rollback goes back to its last deployed revision, or is uninstalled when it never
 *      was deployed (never one that would delete volume claims, without --uninstall-data).
 *   3. The state: each pending create is matched to the cluster (a release by namespace and name,
 *      any other object by its id); what exists is imported, what does not is left to be created.
 *      `pulumi refresh` of the imported resources then reads them from the cluster.
 *
 * It decides everything before it changes anything: when a release must be left alone, or an
 * update is still running, it changes nothing and exits 3.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as auto from "@pulumi/pulumi/automation";
import { parseAllDocuments } from "yaml";
import { parseCli, runMain } from "./lib/cli";
import {
  decidePending,
  decideRelease,
  editState,
  Exported,
  ImportDetail,
  isLockFile,
  judgeLock,
  kubectlResource,
  lockDir,
  manifestData,
  parseLock,
  PendingAction,
  pendingOperations,
  pulumiFieldManager,
  ReleaseAction,
  ReleaseFacts,
  Revision,
  stateReleases,
  urnName,
} from "./lib/recover";

const USAGE = `usage: npm run recover -- --stack <name> [--cwd <project dir>] [--lock-stale-after <minutes>] [--uninstall-data] [--json]

  --stack             the stack to repair
  --cwd               the directory of Pulumi.yaml and the stack file (default: the current one)
  --lock-stale-after  a lock taken on another host more than this many minutes ago is stale
                      (set it to the CI job's timeout: no update runs longer)
  --uninstall-data    uninstall a never-deployed release even when that deletes volume claims
  --json              print a JSON summary as the last line`;

/** What the repair found and did, for the log and for the fault-injection suite. */
export interface RecoverSummary {
  lock: string[];
  releases: { id: string; status: string; action: ReleaseAction["action"]; why: string }[];
  pending: { urn: string; op: string; action: PendingAction["action"]; why: string }[];
  refreshed: number;
  exitCode: number;
}

function say(line: string): void {
  process.stdout.write(`recover: ${line}\n`);
}

/** Runs a command; its output, or undefined when `allowFail` and it failed. */
function run(cmd: string, args: string[], opts: { input?: string; cwd?: string; allowFail?: boolean } = {}) {
  try {
    return execFileSync(cmd, args, {
      encoding: "utf8",
      cwd: opts.cwd,
      input: opts.input,
      stdio: ["pipe", "pipe", "pipe"],
      maxBuffer: 256 * 1024 * 1024,
    });
  } catch (e) {
    if (opts.allowFail === true) return undefined;
    const err = e as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(" ")}: ${(err.stderr ?? "").trim() || err.message}`, { cause: e });
  }
}

/** Whether `pid` is a live Pulumi CLI process on this host. */
function pulumiRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    return /pulumi/.test(fs.readFileSync(`/proc/${pid}/cmdline`, "utf8"));
  } catch {
    // No /proc (macOS): a live process with that pid counts as the update.
    return true;
  }
}

function projectName(cwd: string): string {
  const text = fs.readFileSync(path.join(cwd, "Pulumi.yaml"), "utf8");
  const m = /^name:\s*["']?([^"'\s#]+)/m.exec(text);
  if (m?.[1] === undefined) throw new Error(`${cwd}/Pulumi.yaml has no name`);
  return m[1];
}

/** The lock files of the stack, when the backend is a directory this host can read. */
function lockFiles(
  backendUrl: string,
  project: string,
  stack: string,
): { file: string; text: string }[] | string {
  if (!backendUrl.startsWith("file://")) {
    return `the backend ${backendUrl.replace(/\/\/[^@/]*@/, "//")} is not a local directory: its locks are not inspected (if \`pulumi up\` says the stack is locked and no update runs, \`pulumi cancel\`)`;
  }
  let root = decodeURIComponent(backendUrl.slice("file://".length));
  if (root === "~" || root.startsWith("~/")) root = path.join(os.homedir(), root.slice(1));
  const dirs = [lockDir(project, stack), `.pulumi/locks/${stack}`].map((d) => path.join(root, d));
  const out: { file: string; text: string }[] = [];
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir)) {
      const file = path.join(dir, f);
      if (isLockFile(f) && fs.statSync(file).isFile())
        out.push({ file, text: fs.readFileSync(file, "utf8") });
    }
  }
  return out;
}

interface HelmListed {
  name: string;
  namespace: string;
  status: string;
}

export async function recover(opts: {
  stack: string;
  cwd: string;
  staleAfterMinutes?: number;
  uninstallData: boolean;
}): Promise<RecoverSummary> {
  const summary: RecoverSummary = { lock: [], releases: [], pending: [], refreshed: 0, exitCode: 0 };
  const { stack, cwd } = opts;
  const pulumi = (args: string[], input?: string) =>
    run("pulumi", [...args, "--stack", stack, "--non-interactive"], {
      cwd,
      ...(input !== undefined ? { input } : {}),
    });

  // 1. The lock.
  const whoami = JSON.parse(run("pulumi", ["whoami", "--json", "--non-interactive"], { cwd }) ?? "{}") as {
    url?: string;
  };
  const project = projectName(cwd);
  const locks = lockFiles(whoami.url ?? "", project, stack);
  let removeLock = false;
  if (typeof locks === "string") {
    summary.lock.push(locks);
    say(locks);
  } else if (locks.length === 0) {
    summary.lock.push("not locked");
    say(`${stack}: not locked`);
  } else {
    const verdicts = locks.map((l) => {
      const lock = parseLock(l.text);
      return lock === undefined
        ? { stale: false, why: `${l.file} is not a Pulumi lock file: left alone` }
        : judgeLock(lock, {
            hostname: os.hostname(),
            now: new Date(),
            pulumiRunning,
            ...(opts.staleAfterMinutes !== undefined ? { staleAfterMinutes: opts.staleAfterMinutes } : {}),
          });
    });
    for (const v of verdicts) {
      summary.lock.push(`${v.stale ? "stale" : "live"}: ${v.why}`);
      say(`lock ${v.stale ? "stale" : "held"}: ${v.why}`);
    }
    if (verdicts.some((v) => !v.stale)) {
      say("an update may still be running: nothing changed");
      summary.exitCode = 3;
      return summary;
    }
    removeLock = true;
  }

  // 2. What the state says, and what Helm and the cluster hold.
  const state = JSON.parse(pulumi(["stack", "export", "--show-secrets"]) ?? "{}") as Exported;
  const config = JSON.parse(pulumi(["config", "--json"]) ?? "{}") as Record<string, { value?: string }>;
  const cluster = JSON.parse(config[`${project}:cluster`]?.value ?? "{}") as { context?: string };
  const context = cluster.context;
  const kubeArgs = context !== undefined ? ["--context", context] : [];
  const helmArgs = context !== undefined ? ["--kube-context", context] : [];
  say(
    `${stack}: ${(state.deployment.resources ?? []).length} resources in the state, cluster context ${context ?? "(kubeconfig's current)"}`,
  );

  const pending = pendingOperations(state);
  say(pending.length === 0 ? "no pending operations" : `${pending.length} pending operations:`);
  for (const p of pending) say(`  ${p.op} ${p.type} ${urnName(p.urn)}${p.ref ? ` (${p.ref.id})` : ""}`);

  const listed = JSON.parse(
    run("helm", [
      "list",
      "--all-namespaces",
      "--deployed",
      "--failed",
      "--pending",
      "--superseded",
      "--uninstalling",
      "--output",
      "json",
      ...helmArgs,
    ]) ?? "[]",
  ) as HelmListed[];
  const pendingCreates = new Set(
    pending.filter((p) => p.op === "creating" && p.ref?.kind === "release").map((p) => p.ref?.id),
  );
  const releaseFacts: ReleaseFacts[] = [];
  const decisions = new Map<string, ReleaseAction>();
  for (const ref of stateReleases(state)) {
    const l = listed.find((r) => r.namespace === ref.namespace && r.name === ref.name);
    const facts: ReleaseFacts = {
      ref,
      ...(l !== undefined ? { status: l.status } : {}),
      history: [],
      data: [],
    };
    if (l !== undefined && l.status !== "deployed") {
      facts.history = (
        JSON.parse(
          run("helm", [
            "history",
            ref.name,
            "-n",
            ref.namespace ?? "default",
            "--output",
            "json",
            ...helmArgs,
          ]) ?? "[]",
        ) as { revision: number; status: string }[]
      ).map((r): Revision => ({ revision: r.revision, status: r.status }));
      const manifest =
        run("helm", ["get", "manifest", ref.name, "-n", ref.namespace ?? "default", ...helmArgs], {
          allowFail: true,
        }) ?? "";
      facts.data = manifestData(parseAllDocuments(manifest).map((d) => d.toJS() as unknown));
    }
    releaseFacts.push(facts);
    const action = decideRelease(facts, {
      pendingCreate: pendingCreates.has(ref.id),
      uninstallData: opts.uninstallData,
    });
    decisions.set(ref.id, action);
    if (action.action !== "none" || l?.status !== "deployed") {
      say(
        `release ${action.why}: ${action.action === "rollback" ? `roll back to revision ${action.revision}` : action.action === "none" ? "left as it is" : action.action}`,
      );
    }
    summary.releases.push({
      id: ref.id,
      status: facts.status ?? "absent",
      action: action.action,
      why: action.why,
    });
  }
  const refused = [...decisions.entries()].filter(([, a]) => a.action === "refuse");
  if (refused.length > 0) {
    say(`${refused.length} release(s) must be left as they are: nothing changed`);
    summary.exitCode = 3;
    return summary;
  }

  // 3. Act: the lock, Helm, then the state.
  if (removeLock) {
    pulumi(["cancel", "--yes"]);
    say("removed the stale lock (pulumi cancel)");
  }
  for (const f of releaseFacts) {
    const a = decisions.get(f.ref.id);
    const ns = f.ref.namespace ?? "default";
    if (a?.action === "rollback") {
      run("helm", ["rollback", f.ref.name, String(a.revision), "-n", ns, ...helmArgs]);
      say(`helm rollback ${ns}/${f.ref.name} ${a.revision}: done`);
    } else if (a?.action === "uninstall") {
      run("helm", ["uninstall", f.ref.name, "-n", ns, "--wait", ...helmArgs]);
      say(`helm uninstall ${ns}/${f.ref.name}: done`);
    }
  }

  const pendingDecisions = new Map<string, { action: PendingAction; detail?: ImportDetail }>();
  for (const p of pending) {
    let exists: boolean | undefined;
    let detail: ImportDetail | undefined;
    if (p.op === "creating" && p.ref?.kind === "release") {
      const a = decisions.get(p.ref.id);
      exists =
        a?.action === "rollback" ||
        (a?.action === "none" && releaseFacts.find((f) => f.ref.id === p.ref?.id)?.status !== undefined);
    } else if (p.op === "creating" && p.ref?.kind === "object") {
      const out =
        run("kubectl", [
          "get",
          kubectlResource(p.ref),
          p.ref.name,
          ...(p.ref.namespace ? ["-n", p.ref.namespace] : []),
          "-o",
          "json",
          "--ignore-not-found",
          ...kubeArgs,
        ]) ?? "";
      exists = out.trim() !== "";
      if (exists) {
        const fieldManager = pulumiFieldManager(JSON.parse(out));
        detail = { id: p.ref.id, ...(fieldManager !== undefined ? { fieldManager } : {}) };
      }
    }
    const action = decidePending(p, exists, false);
    pendingDecisions.set(p.urn, { action, ...(detail !== undefined ? { detail } : {}) });
    summary.pending.push({ urn: p.urn, op: p.op, action: action.action, why: action.why });
    say(`${p.op} ${urnName(p.urn)}: ${action.action === "keep" ? "dropped" : action.action}: ${action.why}`);
  }

  if (pending.length > 0) {
    const edited = editState(state, pendingDecisions);
    // `stack import` clears every pending operation that is left: the interrupted updates and
    // deletes, which the next up redoes from the resources' recorded state.
    pulumi(["stack", "import"], JSON.stringify(edited));
    say(
      `state written: ${summary.pending.filter((p) => p.action === "import").length} imported, ${summary.pending.filter((p) => p.action === "clear").length} left to be created, no pending operation left`,
    );
  }

  const imported = summary.pending.filter((p) => p.action === "import").map((p) => p.urn);
  if (imported.length > 0) {
    // The refresh runs through the Automation API with the program inline, so it needs no
    // language host; it does not run the program, it reads the imported resources back.
    const ws = await auto.LocalWorkspace.selectStack(
      { stackName: stack, projectName: project, program: () => Promise.resolve({}) },
      { workDir: cwd, pulumiCommand: await auto.PulumiCommand.get({ skipVersionCheck: true }) },
    );
    const res = await ws.refresh({
      target: imported,
      runProgram: false,
      color: "never",
      onOutput: () => undefined,
    });
    summary.refreshed = imported.length;
    say(
      `refreshed the ${imported.length} imported resources from the cluster: ${JSON.stringify(res.summary.resourceChanges ?? {})}`,
    );
  }
  say(
    pending.length === 0 &&
      !releaseFacts.some((f) => decisions.get(f.ref.id)?.action !== "none") &&
      !removeLock
      ? "nothing to repair"
      : "repaired: run `pulumi up`",
  );
  return summary;
}

async function main(argv: string[]): Promise<number> {
  const args = parseCli(argv, {
    usage: USAGE,
    values: ["stack"],
    optional: ["cwd", "lock-stale-after"],
    flags: ["uninstall-data", "json"],
  });
  if (args.kind === "exit") return args.code;
  const staleText = args.optional["lock-stale-after"];
  const stale = staleText === undefined ? undefined : Number(staleText);
  if (stale !== undefined && !(Number.isFinite(stale) && stale >= 0)) {
    process.stderr.write(`--lock-stale-after: ${staleText} is not a number of minutes\n${USAGE}\n`);
    return 2;
  }
  const summary = await recover({
    stack: args.values.stack,
    cwd: path.resolve(args.optional.cwd ?? process.cwd()),
    ...(stale !== undefined ? { staleAfterMinutes: stale } : {}),
    uninstallData: args.flags["uninstall-data"],
  });
  if (args.flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  return summary.exitCode;
}

if (require.main === module) runMain(() => main(process.argv.slice(2)));
