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
 * Fault injection on the real engine (dev stack, the loopback cluster of tools/e2e/run.sh): `up`
 * is killed the way a CI timeout or a Ctrl-C kills it (SIGKILL to its whole process group: the
 * Node process serving the program, the Pulumi CLI, the provider), the API server is stopped in
 * the middle of an `up`, and a release's wait fails. After each fault `npm run recover` (the same
 * CLI users run) and one `up` must converge: `up` succeeds with every release deployed, a second
 * preview is empty, nothing that holds data was replaced, and destroy leaves nothing behind.
 * The kill moments are picked by watching Helm's release records and the engine's events.
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

/** Polls until `pred` holds or the driver exits; true when it held. */
async function watch(
  d: Driver,
  pred: () => Promise<boolean> | boolean,
  timeoutMs = 240_000,
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

/** Stops the API server (SIGTERM), waits, and starts it again with the same command line. */
async function stopApiServer(seconds: number): Promise<void> {
  const pidsFile = path.join(runDir, "pids");
  const lines = fs.readFileSync(pidsFile, "utf8").trim().split("\n");
  const line = lines.find((l) => l.startsWith("kube-apiserver "));
  const pid = Number(line?.split(" ")[1]);
  const argv = fs
    .readFileSync(`/proc/${pid}/cmdline`, "utf8")
    .split("\0")
    .filter((a) => a !== "");
  process.kill(pid, "SIGTERM");
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
    if (ready.status === 200) return;
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

interface Scenario {
  title: string;
  /** The stack in the backend: a fresh one per chain of scenarios. */
  backend: string;
  /** Config of the faulted run over the test overlay. */
  config?: Record<string, unknown>;
  /** Config of the converging run (the fix); defaults to the faulted run's. */
  fixed?: Record<string, unknown>;
  /** Injects the fault into the running up; returns the kill point. */
  fault: (d: Driver) => Promise<string>;
  destroyAfter: boolean;
}

/** Kills the up as soon as a release's newest revision in Helm is in `status`. */
function killWhenRelease(namespace: string, names: string[], status: string) {
  return async (d: Driver): Promise<string> => {
    let hit = "";
    const seen = await watch(d, async () => {
      for (const n of names) {
        if ((await helmStatus(namespace, n)) === status) {
          hit = n;
          return true;
        }
      }
      return false;
    });
    await killGroup(d);
    if (!seen) throw new Error(`no release of ${names.join(", ")} reached ${status} before up ended`);
    return `${namespace}/${hit} ${status}`;
  };
}

const UPGRADE = { prometheus: { retention: "9d" }, resources: { lokiSingleBinary: { cpu: "77m" } } };
const NEVER_READY = { resources: { metricsServer: { cpu: "100" } }, charts: { timeoutSeconds: 30 } };

const SCENARIOS: Scenario[] = [
  {
    title: "first install killed during the CRD release",
    backend: "dev-crds",
    fault: killWhenRelease("monitoring", ["prometheus-operator-crds"], "pending-install"),
    destroyAfter: true,
  },
  {
    title: "first install killed during kube-prometheus-stack",
    backend: "dev-kps",
    fault: killWhenRelease("monitoring", ["kube-prometheus-stack"], "pending-install"),
    destroyAfter: true,
  },
  {
    title: "first install killed during the custom resources",
    backend: "dev-chain",
    fault: async (d) => {
      let first = "";
      const seen = await watch(d, () => {
        const s = d.steps.find(
          (x) => x.phase === "outputs" && /^kubernetes:([a-z.]+\.)?(coreos\.com|istio\.io)\//.test(x.type),
        );
        if (s !== undefined) first = `${urnType(s.urn)} ${urnName(s.urn)}`;
        return s !== undefined;
      });
      await killGroup(d);
      if (!seen) throw new Error("no custom resource was created before up ended");
      return `right after the first custom resource was created (${first})`;
    },
    destroyAfter: false,
  },
  {
    title: "upgrade killed while a release is mid-upgrade",
    backend: "dev-chain",
    config: UPGRADE,
    fault: async (d) => {
      const names = ["kube-prometheus-stack", "loki"];
      let hit = "";
      const seen = await watch(d, async () => {
        for (const [ns, n] of [
          ["monitoring", "kube-prometheus-stack"],
          ["logging", "loki"],
        ] as const) {
          if ((await helmStatus(ns, n)) === "pending-upgrade") {
            hit = `${ns}/${n}`;
            return true;
          }
        }
        return false;
      });
      await killGroup(d);
      if (!seen) throw new Error(`no release of ${names.join(", ")} reached pending-upgrade before up ended`);
      return `${hit} pending-upgrade`;
    },
    destroyAfter: true,
  },
  {
    title: "API server stopped for 20 s during a first install",
    backend: "dev-apiserver",
    fault: async (d) => {
      const seen = await watch(
        d,
        async () => (await helmStatus("monitoring", "kube-prometheus-stack")) === "pending-install",
      );
      if (!seen) throw new Error("kube-prometheus-stack never started installing");
      const start = Date.now();
      await stopApiServer(20);
      const down = since(start);
      // The up goes on by itself; a minute after the API server is back it has had its chance.
      const ended = await Promise.race([d.exited.then(() => true), sleep(120_000).then(() => false)]);
      if (!ended) await killGroup(d);
      const outcome = await d.exited;
      return `API server down ${down}s while kube-prometheus-stack was pending-install; up ${
        ended
          ? (outcome.result ?? `failed: ${(outcome.error ?? []).join(" | ").slice(0, 300)}`)
          : "still running 2 minutes later: killed"
      }`;
    },
    destroyAfter: true,
  },
  {
    title: "a release's wait fails (a workload that never becomes ready), then the config is fixed",
    backend: "dev-wait",
    config: NEVER_READY,
    fixed: {},
    fault: async (d) => {
      const outcome = await d.exited;
      if (outcome.result === "succeeded")
        throw new Error("up succeeded although metrics-server cannot be scheduled");
      return `up failed by itself: ${(outcome.error ?? []).join(" | ").slice(0, 400)}`;
    },
    destroyAfter: true,
  },
];

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
  const opened = new Map<string, auto.Stack>();

  after(async function () {
    // Whatever failed, leave the cluster clean.
    for (const [name, stack] of opened) {
      await stack.destroy({ color: "never" }).catch((e: unknown) => {
        console.log(`      destroy of ${name} failed: ${String(e).slice(0, 300)}`);
      });
    }
  });

  for (const sc of SCENARIOS) {
    it(sc.title, async function () {
      const workDir = path.join(runDir, "work", sc.backend);
      try {
        await scenario(sc, workDir);
      } catch (e) {
        // Leave a clean cluster for the next scenario: the stack as far as the state knows it,
        // then whatever Helm still holds.
        console.log(`      failed: cleaning up ${sc.backend}`);
        opened.delete(sc.backend);
        const stack = await openStack({
          stack: "dev",
          backendStackName: sc.backend,
          root: REPO_ROOT,
          workDir,
          overlay: baseOverlay,
        });
        // A killed up may have left its lock: the test cleans up what it broke, whatever recover did.
        await stack.cancel().catch(() => undefined);
        await stack.destroy({ color: "never" }).catch((err: unknown) => {
          console.log(`      destroy failed: ${String(err).slice(0, 300)}`);
        });
        for (const r of helmReleases()) {
          spawnSync("helm", ["uninstall", r.name, "-n", r.namespace, "--wait"], { encoding: "utf8" });
        }
        throw e;
      }
    });
  }

  async function scenario(sc: Scenario, workDir: string): Promise<void> {
    const claimsBefore = await claimUids(kube, DEV_NAMESPACES);

    // The faulted run.
    const driver = startUp({
      stack: "dev",
      backendStackName: sc.backend,
      workDir,
      ...(sc.config ? { config: sc.config } : {}),
    });
    const t0 = Date.now();
    const killPoint = await sc.fault(driver);
    const faultAt = since(t0);
    console.log(`      fault after ${faultAt}s: ${killPoint}`);
    const claimsAfterFault = await claimUids(kube, DEV_NAMESPACES);
    const stuck = helmReleases().filter((r) => r.status !== "deployed");
    console.log(
      `      Helm right after: ${
        helmReleases()
          .map((r) => `${r.namespace}/${r.name} ${r.status}`)
          .join(", ") || "no releases"
      }`,
    );

    // The repair.
    const t1 = Date.now();
    let summary = runRecover(sc.backend, workDir);
    let flag = "";
    if (summary.exitCode === 3 && summary.releases.some((r) => r.action === "refuse")) {
      console.log(
        "      recover left a release that holds data alone; again with the explicit --uninstall-data:",
      );
      summary = runRecover(sc.backend, workDir, ["--uninstall-data"]);
      flag = " (with --uninstall-data)";
    }
    expect(summary.exitCode, "recover").to.equal(0);
    const repairSeconds = since(t1);

    // The next up, from the fixed config.
    const cfg = sc.fixed ?? sc.config ?? {};
    const stack = await openStack({
      stack: "dev",
      backendStackName: sc.backend,
      root: REPO_ROOT,
      workDir,
      overlay: { ...baseOverlay, config: deepMerge(baseOverlay.config, cfg) as Record<string, unknown> },
    });
    opened.set(sc.backend, stack);
    const log = new EventLog();
    const t2 = Date.now();
    const res = await stack.up({ color: "never", onEvent: log.onEvent }).catch((e: unknown) => {
      for (const d of log.diagnostics.slice(-15)) console.log(`        ${d}`);
      throw e;
    });
    const upSeconds = since(t2);
    expect(res.summary.result).to.equal("succeeded");
    const releases = helmReleases();
    const declared = log.steps.filter(
      (s) => s.phase === "outputs" && s.type === "kubernetes:helm.sh/v3:Release",
    );
    expect(
      releases.filter((r) => r.status !== "deployed"),
      "releases not deployed after up",
    ).to.deep.equal([]);
    expect(releases.length, "one Helm release per declared Release").to.equal(declared.length);

    const preview = await stack.preview({ expectNoChanges: true, color: "never", diff: true });
    expect(Object.keys(preview.changeSummary).filter((k) => k !== "same")).to.deep.equal([]);

    const lost = dataLost(log.steps);
    const claimsNow = await claimUids(kube, DEV_NAMESPACES);
    const claimsGone = [...new Map([...claimsBefore, ...claimsAfterFault])]
      .filter(([k, uid]) => claimsNow.get(k) !== uid)
      .map(([k]) => k);
    console.log(
      `      converged: recover ${repairSeconds}s${flag}, up ${upSeconds}s (${JSON.stringify(res.summary.resourceChanges)}); ${claimsNow.size} claims kept, ${claimsGone.length} lost or recreated`,
    );
    expect(lost, "data-holding resources replaced or deleted by the converging up").to.deep.equal([]);
    expect(claimsGone, "PersistentVolumeClaims lost or recreated").to.deep.equal([]);

    const count = (a: string) => summary.pending.filter((p) => p.action === a).length;
    const rolled = summary.releases.filter((r) => r.action === "rollback").map((r) => r.id);
    const uninstalled = summary.releases.filter((r) => r.action === "uninstall").map((r) => r.id);
    figures.push(
      `${sc.title}: fault at ${faultAt}s (${killPoint}); ${stuck.length} releases not deployed; ${summary.pending.length} pending operations (${count("import")} imported, ${count("clear")} left to create, ${count("keep")} dropped); rolled back ${rolled.join(", ") || "none"}; uninstalled ${uninstalled.join(", ") || "none"}; lock ${summary.lock.join("; ")}; converged in ${Math.round((repairSeconds + upSeconds) * 10) / 10}s (recover ${repairSeconds}s + up ${upSeconds}s)`,
    );

    if (sc.destroyAfter) {
      const t3 = Date.now();
      await stack.destroy({ color: "never" });
      opened.delete(sc.backend);
      expect(helmReleases(), "releases left after destroy").to.deep.equal([]);
      expect(await remainingNamespaces(kube, DEV_NAMESPACES), "namespaces left after destroy").to.deep.equal(
        [],
      );
      console.log(`      destroy clean in ${since(t3)}s`);
    }
  }
});
