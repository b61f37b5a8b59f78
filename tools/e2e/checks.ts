import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { Kube, KubeObject } from "./kube";
import { Step, urnName, urnType } from "./engine";
import { Waited, waitFor } from "./real-pods";
import {
  missingOperatorWorkloads,
  Monitor,
  monitorsOf,
  SignalsExpected,
  SignalsLive,
  workloadProblems,
  WorkloadLists,
} from "./verdicts";

/** What the e2e suite reads from the cluster, through the API server on 127.0.0.1. */

/** A Helm release as `helm list -o json` prints it. */
export interface HelmRelease {
  name: string;
  namespace: string;
  status: string;
  chart: string;
  /** The newest revision's number. */
  revision: string;
}

/** Every Helm release in the cluster, in any state. */
export function helmReleases(): HelmRelease[] {
  // Every state by name: helm 4 has no --all.
  const states = ["--deployed", "--failed", "--pending", "--superseded", "--uninstalling"];
  const out = execFileSync("helm", ["list", "--all-namespaces", ...states, "--output", "json"], {
    encoding: "utf8",
  });
  return JSON.parse(out) as HelmRelease[];
}

/** The namespaces' workloads, as the lists `workloadProblems` reads. */
async function workloadLists(
  kube: Kube,
  namespaces: string[],
): Promise<WorkloadLists & { statefulsets: { items: KubeObject[] } }> {
  const of = async (kind: string) => {
    const items: KubeObject[] = [];
    for (const ns of namespaces) items.push(...(await kube.list(`/apis/apps/v1/namespaces/${ns}/${kind}`)));
    return { items };
  };
  return {
    deployments: await of("deployments"),
    statefulsets: await of("statefulsets"),
    daemonsets: await of("daemonsets"),
  };
}

/** Deployments, StatefulSets and DaemonSets in the namespaces that are not rolled out and Ready, with why. */
export async function unreadyWorkloads(kube: Kube, namespaces: string[]): Promise<string[]> {
  return workloadProblems(await workloadLists(kube, namespaces));
}

/**
 * Polls until every Deployment, StatefulSet and DaemonSet in the namespaces is rolled out and
 * Ready, and, with `operatorWorkloads`, until the StatefulSets the Prometheus operator makes for
 * each Prometheus and Alertmanager exist (before they do, "every StatefulSet Ready" is vacuous).
 * Fails at the deadline with what is still not ready.
 */
export async function waitForReadiness(
  kube: Kube,
  namespaces: string[],
  deadlineSeconds: number,
  operatorWorkloads: boolean,
): Promise<Waited<number>> {
  return waitFor(
    `every workload in ${namespaces.join(", ")} Ready${operatorWorkloads ? ", the operator's StatefulSets included" : ""}`,
    deadlineSeconds,
    async () => {
      const lists = await workloadLists(kube, namespaces);
      const problems = workloadProblems(lists);
      if (operatorWorkloads) {
        const crs = async (plural: string) => {
          const items: KubeObject[] = [];
          for (const ns of namespaces)
            items.push(...(await kube.list(`/apis/monitoring.coreos.com/v1/namespaces/${ns}/${plural}`)));
          return { items };
        };
        problems.push(
          ...missingOperatorWorkloads(
            await crs("prometheuses"),
            await crs("alertmanagers"),
            lists.statefulsets,
          ),
        );
      }
      return problems.length === 0
        ? { done: true, value: lists.statefulsets.items.length }
        : { done: false, status: problems.join("; ") };
    },
    2000,
  );
}

/** The ServiceMonitors and PodMonitors in the namespaces: those the program and its charts declare. */
export async function declaredMonitors(kube: Kube, namespaces: string[]): Promise<Monitor[]> {
  const of = async (plural: string) => {
    const items: KubeObject[] = [];
    for (const ns of namespaces)
      items.push(...(await kube.list(`/apis/monitoring.coreos.com/v1/namespaces/${ns}/${plural}`)));
    return { items };
  };
  return monitorsOf(await of("servicemonitors"), await of("podmonitors"));
}

/**
 * What a failed run leaves for diagnosis, written under `dir` before the suite cleans the cluster
 * up: each namespace's pods (JSON), its events in time order, and on kind `kind export logs`
 * (every container's log, the kubelet's and the node's). A failing command is reported, not hidden.
 */
export async function dumpDiagnostics(kube: Kube, namespaces: string[], dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  for (const ns of namespaces) {
    try {
      const pods = await kube.list(`/api/v1/namespaces/${ns}/pods`);
      fs.writeFileSync(path.join(dir, `${ns}-pods.json`), JSON.stringify(pods, null, 1));
      const events = (await kube.list(`/api/v1/namespaces/${ns}/events`))
        .map((e) => {
          const obj = e["involvedObject"] as { kind?: string; name?: string } | undefined;
          const stamp =
            e["lastTimestamp"] ??
            e["eventTime"] ??
            (e.metadata as { creationTimestamp?: string }).creationTimestamp;
          const when = typeof stamp === "string" ? stamp : "";
          return `${when} ${String(e["type"])} ${obj?.kind ?? "?"}/${obj?.name ?? "?"}: ${String(e["reason"])}: ${String(e["message"])}`;
        })
        .sort();
      fs.writeFileSync(path.join(dir, `${ns}-events.txt`), events.join("\n") + "\n");
    } catch (e) {
      console.log(
        `      diagnostics of namespace ${ns} failed: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
  const cluster = process.env["E2E_KIND_CLUSTER"];
  if (process.env["E2E_TARGET"] === "kind" && cluster !== undefined) {
    try {
      execFileSync("kind", ["export", "logs", path.join(dir, "kind"), "--name", cluster], {
        stdio: "inherit",
      });
    } catch (e) {
      console.log(`      kind export logs failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  console.log(`      diagnostics written to ${dir}`);
}

/** How many workloads of each kind the namespaces hold. */
export async function workloadCounts(kube: Kube, namespaces: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = { deployments: 0, statefulsets: 0, daemonsets: 0 };
  for (const ns of namespaces) {
    for (const kind of Object.keys(counts)) {
      counts[kind] = (counts[kind] ?? 0) + (await kube.list(`/apis/apps/v1/namespaces/${ns}/${kind}`)).length;
    }
  }
  return counts;
}

/** Warning events in the namespaces: what a failed release leaves behind (a refused pod, a webhook). */
export async function warningEvents(kube: Kube, namespaces: string[]): Promise<string[]> {
  const lines: string[] = [];
  for (const ns of namespaces) {
    for (const e of await kube.list(`/api/v1/namespaces/${ns}/events`)) {
      if (e["type"] !== "Warning") continue;
      const obj = e["involvedObject"] as { kind?: string; name?: string } | undefined;
      lines.push(
        `${ns} ${obj?.kind ?? "?"}/${obj?.name ?? "?"}: ${String(e["reason"])}: ${String(e["message"])}`,
      );
    }
  }
  return lines;
}

/** Which API group's CRDs each release installs; the custom resources of that group must wait for it. */
export const CRD_SOURCES: { group: RegExp; release: string }[] = [
  { group: /^monitoring\.coreos\.com$/, release: "prometheus-operator-crds" },
  { group: /\.istio\.io$/, release: "istio-base" },
  { group: /\.k8s\.elastic\.co$/, release: "eck-operator" },
  { group: /^cert-manager\.io$/, release: "cert-manager" },
];

/**
 * Custom resources whose create step started before the step that installs their CRD finished:
 * empty when the engine created every CRD first. A custom resource's type token is
 * `kubernetes:<group>/<version>:<Kind>`; the CRD's release is found by its release name.
 */
export function crdOrderViolations(steps: Step[]): { checked: number; violations: string[] } {
  const finished = new Map<string, number>();
  for (const s of steps) {
    if (s.phase === "outputs" && s.type === "kubernetes:helm.sh/v3:Release")
      finished.set(urnName(s.urn), s.seq);
  }
  let checked = 0;
  const violations: string[] = [];
  for (const s of steps) {
    if (s.phase !== "pre" || s.op !== "create") continue;
    const m = /^kubernetes:([^/]+)\/[^:]+:(\w+)$/.exec(s.type);
    if (m === null) continue;
    const group = m[1] ?? "";
    const source = CRD_SOURCES.find((c) => c.group.test(group));
    if (source === undefined) continue;
    checked++;
    const releaseDone = [...finished.entries()].find(([name]) => name.endsWith(source.release));
    if (releaseDone === undefined || releaseDone[1] > s.seq) {
      violations.push(
        `${urnType(s.urn)} ${urnName(s.urn)} started before release ${source.release} finished`,
      );
    }
  }
  return { checked, violations };
}

/** ConfigMaps in a namespace that carry a label (the Grafana sidecar's selector). */
export async function labelledConfigMaps(
  kube: Kube,
  ns: string,
  label: string,
  value: string,
): Promise<KubeObject[]> {
  const sel = encodeURIComponent(`${label}=${value}`);
  return kube.list(`/api/v1/namespaces/${ns}/configmaps?labelSelector=${sel}`);
}

/** The namespaces that still exist among the given ones (a terminating one counts). */
export async function remainingNamespaces(kube: Kube, namespaces: string[]): Promise<string[]> {
  const left: string[] = [];
  for (const ns of namespaces) if ((await kube.get(`/api/v1/namespaces/${ns}`)) !== undefined) left.push(ns);
  return left;
}

/** The PersistentVolumeClaims in the namespaces: `<ns>/<name>` to uid. */
export async function claimUids(kube: Kube, namespaces: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const ns of namespaces) {
    for (const c of await kube.list(`/api/v1/namespaces/${ns}/persistentvolumeclaims`)) {
      out.set(`${ns}/${c.metadata.name}`, c.metadata.uid ?? "");
    }
  }
  return out;
}

/** The stack config key `signals`, as much of it as the e2e check reads. */
export interface SignalsStackConfig {
  directory?: string;
  scrapeTargets?: { name: string; namespace: string; kind?: "service" | "pod" }[];
  slos?: { name: string }[];
}

/**
 * What the signals part should ship, read from the files below `signals.directory` (default
 * `signals`) and the stack's config, independently of the program's code: rule files' alert and
 * record names, dashboard files' uids and folders, the SLOs and the scrape targets.
 */
export function signalsExpected(root: string, config: SignalsStackConfig): SignalsExpected {
  const rel = config.directory ?? "signals";
  const dir = path.join(root, rel);
  const files = fs.existsSync(dir)
    ? fs
        .readdirSync(dir, { recursive: true, encoding: "utf8" })
        .map((f) => f.split(path.sep).join("/"))
        .sort()
    : [];
  const ruleFiles = files
    .filter((f) => /\.rules\.ya?ml$/.test(f))
    .map((f) => {
      const doc = parseYaml(fs.readFileSync(path.join(dir, f), "utf8")) as {
        groups?: { rules?: { alert?: string; record?: string }[] }[];
      };
      const names = (doc.groups ?? []).flatMap((g) => (g.rules ?? []).map((r) => r.alert ?? r.record ?? ""));
      return { file: `${rel}/${f}`, names };
    });
  const dashboardFiles = files
    .filter((f) => /^dashboards\/[^/]+\/[^/]+\.json$/.test(f))
    .map((f) => {
      const uid = (JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as { uid?: string }).uid ?? "";
      return { file: `${rel}/${f}`, uid, folder: f.split("/")[1] ?? "" };
    });
  return {
    ruleFiles,
    dashboardFiles,
    slos: (config.slos ?? []).map((s) => s.name),
    scrapeTargets: (config.scrapeTargets ?? []).map((t) => ({
      name: t.name,
      namespace: t.namespace,
      kind: t.kind === "pod" ? ("PodMonitor" as const) : ("ServiceMonitor" as const),
    })),
  };
}

/** The monitoring namespace's PrometheusRules, monitors and dashboard ConfigMaps, as the API lists them. */
export async function signalsLive(kube: Kube, namespace: string): Promise<SignalsLive> {
  const list = async (p: string) => ({ items: await kube.list(p) });
  const mon = `/apis/monitoring.coreos.com/v1/namespaces/${namespace}`;
  return {
    prometheusRules: await list(`${mon}/prometheusrules`),
    serviceMonitors: await list(`${mon}/servicemonitors`),
    podMonitors: await list(`${mon}/podmonitors`),
    dashboardConfigMaps: { items: await labelledConfigMaps(kube, namespace, "grafana_dashboard", "1") },
  };
}

/**
 * What the engine changed, in the order it finished each step (its outputs or failure event):
 * `update kubernetes:helm.sh/v3:Release prometheus-operator-crds`. Steps that kept a resource as
 * it was ("same"), reads and refreshes are left out.
 */
export function changedInOrder(steps: Step[]): string[] {
  return steps
    .filter((s) => s.phase !== "pre" && !["same", "read", "refresh"].includes(s.op))
    .map((s) => `${s.op}${s.phase === "failed" ? " (failed)" : ""} ${urnType(s.urn)} ${urnName(s.urn)}`);
}

/**
 * Releases whose update started before the update of the release that installs their CRDs
 * finished: the custom resources they render (kube-prometheus-stack's Prometheus, Alertmanager,
 * rules) would meet the old schemas. Empty when the CRDs' release was updated first, or was not
 * updated at all. `dependents` names each CRD release's dependents by release name.
 */
export function crdsUpgradedFirst(
  steps: Step[],
  dependents: Record<string, readonly string[]>,
): { checked: number; violations: string[] } {
  const RELEASE = "kubernetes:helm.sh/v3:Release";
  const started = new Map<string, number>();
  const finished = new Map<string, number>();
  for (const s of steps) {
    if (s.type !== RELEASE || s.op !== "update") continue;
    if (s.phase === "pre") started.set(urnName(s.urn), s.seq);
    else finished.set(urnName(s.urn), s.seq);
  }
  let checked = 0;
  const violations: string[] = [];
  for (const [crds, users] of Object.entries(dependents)) {
    const done = finished.get(crds);
    for (const user of users) {
      const start = started.get(user);
      if (start === undefined) continue;
      checked++;
      if (done === undefined && started.has(crds)) violations.push(`${user} updated, ${crds} never finished`);
      else if (done !== undefined && done > start) violations.push(`${user} started before ${crds} finished`);
    }
  }
  return { checked, violations };
}

/**
 * Whether the API server takes a custom resource that sets one field only newer CRDs define, with
 * strict field validation (an unknown field is an error instead of being pruned) and as a dry run
 * (nothing is stored, no operator sees it).
 */
export async function strictlyAccepted(
  kube: Kube,
  probe: { path: string; body: Record<string, unknown> },
): Promise<{ accepted: boolean; message: string }> {
  const res = await kube.request("POST", `${probe.path}?dryRun=All&fieldValidation=Strict`, probe.body);
  const message =
    typeof res.body === "object" && res.body !== null && "message" in res.body
      ? String(res.body.message)
      : `HTTP ${res.status}`;
  return { accepted: res.status === 201 || res.status === 200, message };
}

/** Whether a CRD's served version declares a field path (`spec.schedulerName`) in its schema. */
export async function crdDeclares(kube: Kube, crd: string, version: string, field: string): Promise<boolean> {
  const obj = await kube.get(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd}`);
  const versions = (obj?.spec?.["versions"] ?? []) as {
    name: string;
    served?: boolean;
    schema?: { openAPIV3Schema?: unknown };
  }[];
  let node: unknown = versions.find((v) => v.name === version && v.served === true)?.schema?.openAPIV3Schema;
  for (const key of field.split(".")) {
    const props = (node as { properties?: Record<string, unknown> } | undefined)?.properties;
    node = props?.[key];
    if (node === undefined) return false;
  }
  return true;
}
