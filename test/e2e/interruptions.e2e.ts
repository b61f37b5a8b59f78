import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import * as auto from "@pulumi/pulumi/automation";
import { claimUids, helmReleases, remainingNamespaces } from "../../tools/e2e/checks";
import {
  deepMerge,
  EventLog,
  openStack,
  readOverlay,
  REPO_ROOT,
  since,
  Step,
  urnName,
  urnType,
} from "../../tools/e2e/engine";
import { Kube } from "../../tools/e2e/kube";
import type { DriverArgs } from "../../tools/e2e/up-driver";
import type { RecoverSummary } from "../../tools/recover";

/**
 * Fault injection on the real engine (one dev stack on the loopback cluster of tools/e2e/run.sh),
 * in order, each fault repaired before the next: a first install killed four times (while loki,
 * which holds data, installs; during the CRD release; during kube-prometheus-stack; during the
 * custom resources), an upgrade killed mid-upgrade, the API server stopped for 20 s during an
 * upgrade, and a release's wait that fails. A kill is SIGKILL to the up's whole process tree (the
 * Node process serving the program, the Pulumi CLI, the provider), as a CI timeout or a lost
 * runner ends it; its moment is picked by watching Helm's release records and the engine's
 * events, and the step fails when the kill missed it. After each fault `npm run recover` (the same
 * CLI users run) must leave no pending operation, no release pending-* and no lock, and after
 * each group of faults one `up` must converge: it succeeds with every release deployed, a second
 * preview is empty, nothing that holds data was replaced, and no volume claim was lost.
 */

const kube = Kube.fromEnv();
const runDir = kube.runDir;
const figures: string[] = [];

/** Types whose replacement or deletion loses data. */
const DATA_TYPES = new Set([
  "kubernetes:core/v1:Namespace",
  "kubernetes:core/v1:PersistentVolumeClaim",
  "kubernetes:core/v1:PersistentVolume",
  "kubernetes:apps/v1:StatefulSet",
  "kubernetes:helm.sh/v3:Release",
  "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
]);

const DEV_NAMESPACES = ["monitoring", "logging", "tracing", "istio-system", "istio-ingress"];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An `up` running in its own process group (tools/e2e/up-driver.ts). */
interface Driver {
  child: ChildProcess;
  steps: Step[];
  exited: Promise<{ result?: string; error?: string[] }>;
  running: () => boolean;
}

function startUp(args: DriverArgs): Driver {
  const child = spawn(
    process.execPath,
    [path.join(REPO_ROOT, "bin", "tools", "e2e", "up-driver.js"), JSON.stringify(args)],
    {
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const steps: Step[] = [];
  let outcome: { result?: string; error?: string[] } = {};
  let alive = true;
  let buf = "";
  child.stdout.on("data", (chunk: Buffer) => {
    buf += chunk.toString("utf8");
    const lines = buf.split("\n");
    buf = lines.pop() ?? "";
    for (const line of lines) {
      if (line.trim() === "") continue;
      const msg = JSON.parse(line) as { step?: Step; result?: string; error?: string[] };
      if (msg.step !== undefined) steps.push(msg.step);
      else outcome = msg;
    }
  });
  const stderr: string[] = [];
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk.toString("utf8")));
  const exited = new Promise<{ result?: string; error?: string[] }>((resolve) => {
    child.on("exit", () => {
      alive = false;
      if (outcome.result === undefined && outcome.error === undefined && stderr.length > 0) {
        outcome = { error: [stderr.join("").slice(-1500)] };
      }
      resolve(outcome);
    });
  });
  return { child, steps, exited, running: () => alive };
}

/** Every process descending from `pid` (from /proc), whatever its process group. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    // pid (comm) state ppid ...: comm may hold spaces, so read after its closing parenthesis.
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift() ?? 0;
    for (const c of children.get(p) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

/**
 * SIGKILL to the driver's process group and every process under it (the program's Node process,
 * the Pulumi CLI, the provider, whatever group the CLI put it in), as a CI runner ends a job.
 */
async function killGroup(d: Driver): Promise<number> {
  const pid = d.child.pid;
  if (pid === undefined || !d.running()) return 0;
  const tree = descendants(pid);
  process.kill(-pid, "SIGKILL");
  for (const p of tree) {
    try {
      process.kill(p, "SIGKILL");
    } catch {
      // already gone with the group
    }
  }
  await d.exited;
  return tree.length + 1;
}

/** The status of a release's newest revision in Helm's storage (its Secrets), read from the API server. */
async function helmStatus(namespace: string, name: string): Promise<string | undefined> {
  const sel = encodeURIComponent(`owner=helm,name=${name}`);
  const secrets = await kube
    .list(`/api/v1/namespaces/${namespace}/secrets?labelSelector=${sel}`)
    .catch(() => []);
  const newest = secrets
    .map((s) => ({
      version: Number(s.metadata.labels?.["version"] ?? 0),
      status: s.metadata.labels?.["status"],
    }))
    .sort((a, b) => b.version - a.version)[0];
  return newest?.status;
}

/**
 * How long a step waits for its moment. An up reaches every moment of this suite in about a
 * minute on an idle machine; a busy shared one has needed more than four.
 */
const WATCH_MS = 600_000;

/** Polls until `pred` holds or the driver exits; true when it held. */
async function watch(
  d: Driver,
  pred: () => Promise<boolean> | boolean,
  timeoutMs = WATCH_MS,
): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await pred()) return true;
    if (!d.running()) return false;
    await sleep(50);
  }
  return false;
}

/** Runs `npm run recover`'s program on the stack, printing its lines; its JSON summary. */
function runRecover(stackName: string, workDir: string, extra: string[] = []): RecoverSummary {
  const res = spawnSync(
    process.execPath,
    [
      path.join(REPO_ROOT, "bin", "tools", "recover.js"),
      "--stack",
      stackName,
      "--cwd",
      workDir,
      "--json",
      ...extra,
    ],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  const lines = res.stdout.trim().split("\n");
  const last = lines.pop() ?? "{}";
  for (const l of lines) console.log(`        ${l}`);
  if (res.stderr.trim() !== "")
    console.log(`        stderr: ${res.stderr.trim().split("\n").slice(-5).join(" | ")}`);
  let summary: RecoverSummary;
  try {
    summary = JSON.parse(last) as RecoverSummary;
  } catch {
    throw new Error(`recover exited ${String(res.status)} without a summary: ${last}\n${res.stderr}`);
  }
  expect(res.status, "recover's exit code").to.equal(summary.exitCode);
  return summary;
}

/**
 * Stops the API server (SIGKILL, as a crash or a lost control-plane node ends it), keeps it down
 * for `seconds`, and starts it again with the same command line; the seconds it was unreachable.
 */
async function stopApiServer(seconds: number): Promise<number> {
  const pidsFile = path.join(runDir, "pids");
  const lines = fs.readFileSync(pidsFile, "utf8").trim().split("\n");
  const line = lines.find((l) => l.startsWith("kube-apiserver "));
  const pid = Number(line?.split(" ")[1]);
  const argv = fs
    .readFileSync(`/proc/${pid}/cmdline`, "utf8")
    .split("\0")
    .filter((a) => a !== "");
  const t = Date.now();
  process.kill(pid, "SIGKILL");
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      break;
    }
    await sleep(100);
  }
  await sleep(seconds * 1000);
  const log = fs.openSync(path.join(runDir, "logs", "kube-apiserver-restarted.log"), "a");
  const child = spawn(argv[0] ?? "kube-apiserver", argv.slice(1), {
    detached: true,
    stdio: ["ignore", log, log],
  });
  child.unref();
  fs.writeFileSync(
    pidsFile,
    lines.map((l) => (l === line ? `kube-apiserver ${String(child.pid)}` : l)).join("\n") + "\n",
  );
  const end = Date.now() + 60_000;
  while (Date.now() < end) {
    const ready = await kube.request("GET", "/readyz").catch(() => ({ status: 0 }));
    if (ready.status === 200) return since(t);
    await sleep(200);
  }
  throw new Error("the API server did not come back within 60 s");
}

/** The steps of an operation that replaced or deleted something that holds data. */
function dataLost(steps: Step[]): string[] {
  return steps
    .filter(
      (s) =>
        s.phase === "pre" &&
        ["replace", "delete", "delete-replaced", "create-replacement"].includes(s.op) &&
        DATA_TYPES.has(s.type),
    )
    .map((s) => `${s.op} ${urnType(s.urn)} ${urnName(s.urn)}`);
}

// ---------------------------------------------------------------------------------------------
// What the faults leave, read independently of recover

/** The pending operations in the stack's state (`pulumi stack export`), as `<op> <name>`. */
function statePending(
  backend: string,
  workDir: string,
): { op: string; type: string; name: string; inputs: Record<string, unknown> }[] {
  const out = spawnSync(
    "pulumi",
    ["stack", "export", "--stack", backend, "--cwd", workDir, "--non-interactive"],
    {
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  if (out.status !== 0) throw new Error(`pulumi stack export: ${out.stderr}`);
  const state = JSON.parse(out.stdout) as {
    deployment: {
      pending_operations?: {
        type: string;
        resource: { urn: string; type: string; inputs?: Record<string, unknown> };
      }[];
    };
  };
  return (state.deployment.pending_operations ?? []).map((o) => ({
    op: o.type,
    type: o.resource.type,
    name: urnName(o.resource.urn),
    inputs: o.resource.inputs ?? {},
  }));
}

/** Helm's releases as `<namespace>/<name> <status> r<revision>`, sorted. */
function helmPicture(): string[] {
  return helmReleases()
    .map((r) => `${r.namespace}/${r.name} ${r.status} r${r.revision}`)
    .sort();
}

/** The stack's lock files in the local backend (fileblob's .attrs beside them left out). */
function lockFilesOf(backend: string): string[] {
  const dir = path.join(runDir, "state", ".pulumi", "locks", "organization", "observability", backend);
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".json")) : [];
}

// ---------------------------------------------------------------------------------------------
// The faults

/** Config over the test overlay: an upgrade of two releases, a second one, and a wait that fails. */
const UPGRADE = { prometheus: { retention: "9d" }, resources: { lokiSingleBinary: { cpu: "77m" } } };
const UPGRADE_2 = { prometheus: { retention: "8d" }, resources: { lokiSingleBinary: { cpu: "78m" } } };
/**
 * A wait of 30 s for every release (an upgrade of each), with metrics-server asking for 100 CPUs;
 * the fix sets both back. The short wait stays out of the fixed config: destroy uninstalls with
 * the release's timeout, and the CRD release's uninstall can take longer than 30 s.
 */
const FIXED = UPGRADE_2;
const NEVER_READY = deepMerge(UPGRADE_2, {
  charts: { timeoutSeconds: 30 },
  resources: { metricsServer: { cpu: "100" } },
}) as Record<string, unknown>;

/** The releases the upgrades change, where a kill or an outage lands mid-upgrade. */
const UPGRADED: [string, string][] = [
  ["monitoring", "kube-prometheus-stack"],
  ["logging", "loki"],
];

/** The custom resources of dev: the Prometheus operator's and Istio's. */
const CUSTOM = /^kubernetes:([a-z.]+\.)?(coreos\.com|istio\.io)\//;

/** Waits until one of `releases` has its newest revision in `status`; its id, or why it never did. */
async function untilStatus(
  d: Driver,
  releases: [string, string][],
  status: string,
): Promise<{ hit?: string; missed?: string }> {
  // A release already past that point cannot be caught in it: say so instead of waiting for nothing.
  if (status === "pending-install") {
    for (const [ns, n] of releases) {
      const s = await helmStatus(ns, n);
      if (s === "deployed") return { missed: `${ns}/${n} was already deployed when the up started` };
    }
  }
  let hit = "";
  const seen = await watch(d, async () => {
    for (const [ns, n] of releases) {
      if ((await helmStatus(ns, n)) === status) {
        hit = `${ns}/${n}`;
        return true;
      }
    }
    return false;
  });
  if (!seen) {
    const outcome = await Promise.race([d.exited, sleep(0).then(() => undefined)]);
    return {
      missed: `no release of ${releases.map(([ns, n]) => `${ns}/${n}`).join(", ")} reached ${status}: the up ${
        outcome === undefined
          ? `still ran after ${WATCH_MS / 1000} s`
          : `ended (${outcome.result ?? (outcome.error ?? []).join(" | ").slice(0, 300)})`
      }`,
    };
  }
  return { hit };
}

/**
 * Kills the up once `pred` finds its moment, and proves that the kill landed in the middle: the up
 * had not finished, and what the moment was about is still half done afterwards.
 */
async function killAt(
  d: Driver,
  moment: () => Promise<{ hit?: string; missed?: string }>,
  stillHalfDone: (hit: string) => Promise<string | undefined>,
): Promise<string> {
  const m = await moment();
  const outcome = d.running() ? undefined : await d.exited;
  await killGroup(d);
  if (m.missed !== undefined) throw new Error(`the kill missed its moment: ${m.missed}`);
  if (outcome !== undefined) {
    throw new Error(
      `the up had already ended when the kill came: ${outcome.result ?? (outcome.error ?? []).join(" | ")}`,
    );
  }
  const hit = m.hit ?? "";
  const after = await stillHalfDone(hit);
  if (after !== undefined) throw new Error(`the kill came too late: ${after}`);
  return hit;
}

/** After a kill at a release's pending status: it must still be in it (Helm never finished). */
function stillIn(status: string) {
  return async (hit: string): Promise<string | undefined> => {
    const [ns = "", n = ""] = hit.split("/");
    const now = await helmStatus(ns, n);
    return now === status ? undefined : `${hit} is ${now ?? "gone"} after the kill, not ${status}`;
  };
}

// ---------------------------------------------------------------------------------------------
// The suite: one dev stack through every fault, in order, each repaired before the next

const BACKEND = "dev-faults";
const workDir = path.join(runDir, "work", BACKEND);

before(function () {
  console.log(
    `  Pulumi CLI v${process.env["E2E_PULUMI_VERSION"] ?? "?"}, provider ${process.env["E2E_PROVIDER_SOURCE"] ?? "?"}`,
  );
});

after(function () {
  console.log("\n  Figures:");
  for (const f of figures) console.log(`    ${f}`);
});

describe("interrupted up on the real engine (dev)", function () {
  const baseOverlay = readOverlay("dev");
  let driver: Driver | undefined;
  let stack: auto.Stack | undefined;
  /** The first step that failed: every later one starts from the stack it left. */
  let broken: string | undefined;
  /** How many times recover refused to uninstall a release that holds data. */
  let refusals = 0;
  const suiteStart = Date.now();

  const overlay = (cfg: Record<string, unknown>) => ({
    ...baseOverlay,
    config: deepMerge(baseOverlay.config, cfg) as Record<string, unknown>,
  });

  beforeEach(function () {
    if (broken !== undefined) {
      console.log(`      not run: "${broken}" failed, and this step starts from the stack it leaves`);
      this.skip();
    }
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") broken = this.currentTest.title;
  });

  after(async function () {
    if (driver?.running() === true) await killGroup(driver);
    const s =
      stack ??
      (await openStack({
        stack: "dev",
        backendStackName: BACKEND,
        root: REPO_ROOT,
        workDir,
        overlay: baseOverlay,
      }));
    if (broken !== undefined) {
      // Leave a clean cluster, whatever the failure left: the lock of a killed up, the stack as far
      // as its state knows it, then whatever Helm still holds.
      console.log(`      cleaning up after "${broken}"`);
      await s.cancel().catch(() => undefined);
      await s.destroy({ color: "never" }).catch((err: unknown) => {
        console.log(`      destroy failed: ${String(err).slice(0, 300)}`);
      });
      for (const r of helmReleases()) {
        spawnSync("helm", ["uninstall", r.name, "-n", r.namespace, "--wait"], { encoding: "utf8" });
      }
    }
    console.log(`      the suite's steps took ${since(suiteStart)}s`);
  });

  /** Starts the faulted up with `cfg` over the test overlay. */
  function faultedUp(cfg: Record<string, unknown>): Driver {
    driver = startUp({ stack: "dev", backendStackName: BACKEND, workDir, config: cfg });
    return driver;
  }

  /** What the fault left: printed, and returned for the step's own checks. */
  function leftBehind(label: string, seconds: number, point: string) {
    const pending = statePending(BACKEND, workDir);
    const helm = helmPicture();
    const locks = lockFilesOf(BACKEND);
    console.log(`      ${label} after ${seconds}s: ${point}`);
    console.log(`      Helm: ${helm.join(", ") || "no releases"}`);
    console.log(
      `      state: ${pending.length} pending operations${pending.length > 0 ? `: ${pending.map((p) => `${p.op} ${p.name}`).join(", ")}` : ""}; ${locks.length} lock file(s)`,
    );
    return { pending, helm, locks };
  }

  /**
   * `npm run recover` as users and the workflow run it. When it refuses to uninstall a release
   * that holds data, it must have changed nothing (Helm, the state, the lock); the suite then runs
   * it again with the explicit --uninstall-data and says so. Afterwards no operation is pending, no
   * release is pending-*, and no lock is left.
   */
  function repair(): { summary: RecoverSummary; seconds: number; flag: boolean } {
    const t = Date.now();
    const helmBefore = helmPicture();
    const pendingBefore = statePending(BACKEND, workDir).map((p) => `${p.op} ${p.name}`);
    const locksBefore = lockFilesOf(BACKEND);
    let summary = runRecover(BACKEND, workDir);
    let flag = false;
    if (summary.releases.some((r) => r.action === "refuse")) {
      refusals++;
      expect(summary.exitCode, "recover's exit code when it refuses").to.equal(3);
      expect(helmPicture(), "Helm after a refusal").to.deep.equal(helmBefore);
      expect(
        statePending(BACKEND, workDir).map((p) => `${p.op} ${p.name}`),
        "the state's pending operations after a refusal",
      ).to.deep.equal(pendingBefore);
      expect(lockFilesOf(BACKEND), "the lock after a refusal").to.deep.equal(locksBefore);
      console.log(
        `      recover refused (${summary.releases
          .filter((r) => r.action === "refuse")
          .map((r) => r.id)
          .join(", ")}) and changed nothing; again with the explicit --uninstall-data:`,
      );
      summary = runRecover(BACKEND, workDir, ["--uninstall-data"]);
      flag = true;
    }
    expect(summary.exitCode, "recover's exit code").to.equal(0);
    expect(statePending(BACKEND, workDir), "pending operations after recover").to.deep.equal([]);
    expect(
      helmReleases().filter((r) => r.status.startsWith("pending-")),
      "releases pending-* after recover",
    ).to.deep.equal([]);
    expect(lockFilesOf(BACKEND), "lock files after recover").to.deep.equal([]);
    return { summary, seconds: since(t), flag };
  }

  /** One up of `cfg` that must succeed, every declared release deployed, then an empty preview. */
  async function converge(
    cfg: Record<string, unknown>,
  ): Promise<{ seconds: number; log: EventLog; changes: string }> {
    stack = await openStack({
      stack: "dev",
      backendStackName: BACKEND,
      root: REPO_ROOT,
      workDir,
      overlay: overlay(cfg),
    });
    const log = new EventLog();
    const t = Date.now();
    const res = await stack.up({ color: "never", onEvent: log.onEvent }).catch((e: unknown) => {
      for (const d of log.diagnostics.slice(-15)) console.log(`        ${d}`);
      throw e;
    });
    const seconds = since(t);
    expect(res.summary.result).to.equal("succeeded");
    const releases = helmReleases();
    const declared = log.steps.filter(
      (s) => s.phase === "outputs" && s.type === "kubernetes:helm.sh/v3:Release",
    );
    expect(
      releases.filter((r) => r.status !== "deployed").map((r) => `${r.namespace}/${r.name} ${r.status}`),
      "releases not deployed after up",
    ).to.deep.equal([]);
    expect(releases.length, "one Helm release per declared Release").to.equal(declared.length);
    const preview = await stack.preview({ expectNoChanges: true, color: "never", diff: true });
    expect(Object.keys(preview.changeSummary).filter((k) => k !== "same")).to.deep.equal([]);
    expect(
      dataLost(log.steps),
      "data-holding resources replaced or deleted by the converging up",
    ).to.deep.equal([]);
    return { seconds, log, changes: JSON.stringify(res.summary.resourceChanges ?? {}) };
  }

  /** One line of figures for a fault and its repair. */
  function figure(
    title: string,
    faultAt: number,
    point: string,
    left: { pending: unknown[]; helm: string[] },
    r: ReturnType<typeof repair>,
    converged?: number,
  ) {
    const acts = (a: string) => r.summary.releases.filter((x) => x.action === a).map((x) => x.id);
    const ops = (a: string) => r.summary.pending.filter((p) => p.action === a).length;
    figures.push(
      `${title}: fault at ${faultAt}s (${point}); ${left.helm.filter((h) => / pending-| failed /.test(h)).length} releases not deployed; ${left.pending.length} pending operations (${ops("import")} imported, ${ops("clear")} left to create, ${ops("keep")} dropped); rolled back ${acts("rollback").join(", ") || "none"}; uninstalled ${acts("uninstall").join(", ") || "none"}${r.flag ? " (--uninstall-data)" : ""}; recover ${r.seconds}s${converged !== undefined ? `; converging up ${converged}s` : ""}`,
    );
  }

  it("first install killed while loki (it holds data) is pending-install: recover leaves it alone, --uninstall-data uninstalls it", async function () {
    expect(helmPicture(), "Helm releases before the first install").to.deep.equal([]);
    const d = faultedUp({});
    const t = Date.now();
    const hit = await killAt(
      d,
      () => untilStatus(d, [["logging", "loki"]], "pending-install"),
      stillIn("pending-install"),
    );
    const faultAt = since(t);
    const left = leftBehind("killed", faultAt, `${hit} pending-install`);
    // The issue's first case: pending creates in the state for releases that exist in Helm.
    const creates = left.pending.filter(
      (p) => p.op === "creating" && p.type === "kubernetes:helm.sh/v3:Release",
    );
    const existing = creates.filter((p) =>
      left.helm.some((h) => h.startsWith(`${String(p.inputs["namespace"])}/${String(p.inputs["name"])} `)),
    );
    expect(
      existing.map((p) => p.name),
      "pending creates of releases that exist in Helm",
    ).to.include("loki");
    expect(left.locks.length, "the killed up's lock").to.equal(1);
    const r = repair();
    expect(r.flag, "recover needed --uninstall-data for loki").to.equal(true);
    expect(r.summary.releases.find((x) => x.id === "logging/loki")?.action).to.equal("uninstall");
    figure(this.test?.title ?? "", faultAt, `${hit} pending-install`, left, r);
  });

  for (const [what, ns, name] of [
    ["the CRD release", "monitoring", "prometheus-operator-crds"],
    ["kube-prometheus-stack", "monitoring", "kube-prometheus-stack"],
  ] as const) {
    it(`the next up of the first install killed during ${what}: recover repairs it`, async function () {
      const d = faultedUp({});
      const t = Date.now();
      const hit = await killAt(
        d,
        () => untilStatus(d, [[ns, name]], "pending-install"),
        stillIn("pending-install"),
      );
      const faultAt = since(t);
      const left = leftBehind("killed", faultAt, `${hit} pending-install`);
      expect(
        left.pending.map((p) => `${p.op} ${p.name}`),
        "pending operations",
      ).to.include(`creating ${name}`);
      const r = repair();
      expect(r.summary.releases.find((x) => x.id === `${ns}/${name}`)?.action).to.equal("uninstall");
      figure(this.test?.title ?? "", faultAt, `${hit} pending-install`, left, r);
    });
  }

  it("the next up of the first install killed during the custom resources: recover and one up converge", async function () {
    const d = faultedUp({});
    const t = Date.now();
    let first = "";
    const hit = await killAt(
      d,
      async () => {
        const seen = await watch(d, () => {
          const s = d.steps.find((x) => x.phase === "pre" && x.op === "create" && CUSTOM.test(x.type));
          if (s !== undefined) first = s.urn;
          return s !== undefined;
        });
        return seen
          ? { hit: first }
          : { missed: "the up ended before it started to create a custom resource" };
      },
      // Whether the kill cut the custom resources short shows in the converging up below: it
      // must create some of them.
      () => Promise.resolve(undefined),
    );
    const point = `creating ${urnType(hit)} ${urnName(hit)}`;
    const faultAt = since(t);
    const left = leftBehind("killed", faultAt, point);
    const r = repair();
    const c = await converge({});
    const created = c.log.steps.filter((x) => x.phase === "pre" && x.op === "create" && CUSTOM.test(x.type));
    expect(
      created.length,
      "custom resources the converging up created (the kill came before the last)",
    ).to.be.greaterThan(0);
    console.log(
      `      converged: recover ${r.seconds}s, up ${c.seconds}s (${c.changes}, ${created.length} of them custom resources), second preview empty`,
    );
    figure(this.test?.title ?? "", faultAt, point, left, r, c.seconds);
    expect(
      refusals,
      "refusals to uninstall a release that holds data, over the first install",
    ).to.be.greaterThan(0);
  });

  it("upgrade killed while a release is mid-upgrade: recover rolls it back, one up converges, no claim lost", async function () {
    const claims = await claimUids(kube, DEV_NAMESPACES);
    const d = faultedUp(UPGRADE);
    const t = Date.now();
    const hit = await killAt(
      d,
      () => untilStatus(d, UPGRADED, "pending-upgrade"),
      stillIn("pending-upgrade"),
    );
    const faultAt = since(t);
    const left = leftBehind("killed", faultAt, `${hit} pending-upgrade`);
    const r = repair();
    expect(r.summary.releases.find((x) => x.id === hit)?.action, `recover's action on ${hit}`).to.equal(
      "rollback",
    );
    expect(r.flag, "--uninstall-data").to.equal(false);
    const c = await converge(UPGRADE);
    expect(
      c.log.changes().get("update") ?? [],
      "the converging up upgrades the changed releases",
    ).to.not.deep.equal([]);
    expect(await claimsChanged(claims), "claims lost or recreated").to.deep.equal([]);
    console.log(
      `      converged: recover ${r.seconds}s, up ${c.seconds}s (${c.changes}), second preview empty`,
    );
    figure(this.test?.title ?? "", faultAt, `${hit} pending-upgrade`, left, r, c.seconds);
  });

  it("API server stopped for 20 s during an upgrade: recover and one up converge, no claim lost", async function () {
    const claims = await claimUids(kube, DEV_NAMESPACES);
    const d = faultedUp(UPGRADE_2);
    const t = Date.now();
    const m = await untilStatus(d, UPGRADED, "pending-upgrade");
    if (m.missed !== undefined) {
      await killGroup(d);
      throw new Error(`the outage missed its moment: ${m.missed}`);
    }
    const down = await stopApiServer(20);
    // The up goes on by itself; two minutes after the API server is back it has had its chance.
    const ended = await Promise.race([d.exited.then(() => true), sleep(120_000).then(() => false)]);
    if (!ended) await killGroup(d);
    const outcome = await d.exited;
    const point = `API server killed, restarted 20 s later, unreachable ${down}s in all, while ${m.hit ?? ""} was pending-upgrade; the up ${
      ended
        ? (outcome.result ?? `failed: ${(outcome.error ?? []).join(" | ").slice(0, 300)}`)
        : "still ran 2 minutes later: killed"
    }`;
    const faultAt = since(t);
    const left = leftBehind("outage", faultAt, point);
    const r = repair();
    const c = await converge(UPGRADE_2);
    expect(await claimsChanged(claims), "claims lost or recreated").to.deep.equal([]);
    console.log(
      `      converged: recover ${r.seconds}s, up ${c.seconds}s (${c.changes}), second preview empty`,
    );
    figure(this.test?.title ?? "", faultAt, point, left, r, c.seconds);
  });

  it("a release's wait fails (a pod that never schedules), then the config is fixed: recover and one up converge; destroy is clean", async function () {
    const claims = await claimUids(kube, DEV_NAMESPACES);
    const d = faultedUp(NEVER_READY);
    const t = Date.now();
    const outcome = await d.exited;
    expect(outcome.result, "the up with metrics-server asking for 100 CPUs").to.not.equal("succeeded");
    const error = (outcome.error ?? []).join(" | ");
    expect(error, "the failed up's error").to.match(/Release::metrics-server[\s\S]*failed/);
    const point = `up failed by itself: ${error.slice(0, 300)}`;
    const faultAt = since(t);
    const left = leftBehind("failed", faultAt, point);
    // The release is atomic: Helm rolls a failed wait back by itself.
    const history = spawnSync("helm", ["history", "metrics-server", "-n", "kube-system", "-o", "json"], {
      encoding: "utf8",
    });
    console.log(
      `      metrics-server's history: ${(
        JSON.parse(history.stdout || "[]") as { revision: number; status: string; description: string }[]
      )
        .map((h) => `r${h.revision} ${h.status} (${h.description})`)
        .join(", ")}`,
    );
    const r = repair();
    const c = await converge(FIXED);
    // The fix upgrades every release the failed up reached (their wait is back to the default).
    const updated = c.log.steps.filter((x) => x.phase === "pre" && x.op === "update");
    expect(
      updated.map((x) => urnName(x.urn)),
      "the fixed config's up upgrades metrics-server",
    ).to.include("metrics-server");
    expect(
      updated.filter((x) => x.type !== "kubernetes:helm.sh/v3:Release").map((x) => x.urn),
      "what else the fixed config's up updates",
    ).to.deep.equal([]);
    expect(await claimsChanged(claims), "claims lost or recreated").to.deep.equal([]);
    console.log(
      `      converged: recover ${r.seconds}s, up ${c.seconds}s (${c.changes}), second preview empty`,
    );
    figure(this.test?.title ?? "", faultAt, point, left, r, c.seconds);

    const t3 = Date.now();
    await stack?.destroy({ color: "never" });
    expect(helmReleases(), "releases left after destroy").to.deep.equal([]);
    expect(await remainingNamespaces(kube, DEV_NAMESPACES), "namespaces left after destroy").to.deep.equal(
      [],
    );
    console.log(`      destroy clean in ${since(t3)}s`);
  });
});

/** Claims of the stack's namespaces that are gone or have another uid than in `before`. */
async function claimsChanged(before: Map<string, string>): Promise<string[]> {
  const now = await claimUids(kube, DEV_NAMESPACES);
  return [...before].filter(([k, uid]) => now.get(k) !== uid).map(([k]) => k);
}
