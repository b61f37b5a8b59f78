/**
 * The NetworkPolicies against the pods the real charts render, per stack file. A selector that
 * matches no pod would leave a workload behind the default deny with nothing allowed in, so every
 * allow policy and every pod peer must select at least one pod of the stack. And the flow table
 * (test/lib/flow-table.ts) must hold with the charts' own labels: each table pod stands for the
 * rendered pods it matches, and between those, the pods the table does not know, an application
 * pod and the outside, each required flow is allowed and nothing else is. Pods that operators
 * start (Prometheus, Alertmanager, ECK's) are in no chart: the table's own entries stand for them.
 */
import { expect } from "chai";
import { DeclaredResource } from "../../tools/lib/run-program";
import { APP, OPERATOR_STARTED, STACKS } from "../lib/flow-table";
import { HELM_RELEASE, run, stackInput } from "../lib/helpers";
import { discrepancies, Pod, RequiredFlow, selects } from "../lib/network-policy";
import { RealCharts } from "../lib/real-charts";

const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
type Obj = Record<string, unknown>;

/** A workload's pod, and whether it runs on the host network (outside NetworkPolicy). */
interface RenderedPod extends Pod {
  hostNetwork: boolean;
}

/** The pod templates of workloads: Deployments, StatefulSets, DaemonSets, Jobs and CronJobs. */
function podTemplates(doc: unknown, namespace: string): RenderedPod[] {
  if (doc === null || typeof doc !== "object") return [];
  const d = doc as Obj;
  const spec = d["spec"] as Obj | undefined;
  const template =
    d["kind"] === "CronJob"
      ? (((spec?.["jobTemplate"] as Obj | undefined)?.["spec"] as Obj | undefined)?.["template"] as
          Obj | undefined)
      : (spec?.["template"] as Obj | undefined);
  const labels = (template?.["metadata"] as Obj | undefined)?.["labels"] as
    Record<string, string> | undefined;
  if (
    !["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"].includes(String(d["kind"])) ||
    labels === undefined
  ) {
    return [];
  }
  const meta = d["metadata"] as Obj;
  return [
    {
      name: String(meta["name"]),
      namespace: typeof meta["namespace"] === "string" ? meta["namespace"] : namespace,
      labels,
      hostNetwork: (template?.["spec"] as Obj | undefined)?.["hostNetwork"] === true,
    },
  ];
}

function stackPods(charts: RealCharts, resources: readonly DeclaredResource[]): RenderedPod[] {
  return resources.flatMap((r) =>
    r.type === HELM_RELEASE
      ? charts.render(r).flatMap((d) => podTemplates(d, String(r.inputs["namespace"])))
      : r.custom
        ? podTemplates(
            r.inputs,
            (r.inputs["metadata"] as { namespace?: string } | undefined)?.namespace ?? "",
          )
        : [],
  );
}

const hasLabels = (pod: Pod, labels: Readonly<Record<string, string>>) =>
  Object.entries(labels).every(([k, v]) => pod.labels[k] === v);

/**
 * Which rendered pods each table pod stands for: those in its namespace that carry all its
 * labels. Fails on a rendered pod that two table pods would claim, and on a table pod (not
 * started by an operator) that matches no rendered pod, whose flows would then go unchecked.
 */
function standIns(table: readonly Pod[], rendered: readonly Pod[]): Map<Pod, Pod[]> {
  const out = new Map<Pod, Pod[]>(table.map((t) => [t, OPERATOR_STARTED.includes(t) ? [t] : []]));
  const problems: string[] = [];
  for (const r of rendered) {
    const claims = table.filter((t) => t.namespace === r.namespace && hasLabels(r, t.labels));
    if (claims.length > 1)
      problems.push(`${r.namespace}/${r.name} matches ${claims.map((t) => t.name).join(", ")}`);
    const claim = claims[0];
    if (claim !== undefined) out.get(claim)?.push(r);
  }
  for (const [t, pods] of out)
    if (pods.length === 0) problems.push(`${t.namespace}/${t.name} matches no rendered pod`);
  expect(problems).to.deep.equal([]);
  return out;
}

/** The table's flows between the pods its entries stand for. */
function expand(flows: readonly RequiredFlow[], stand: ReadonlyMap<Pod, Pod[]>): RequiredFlow[] {
  const of = (p: Pod) => stand.get(p) ?? [p];
  return flows.flatMap((f) =>
    of(f.to).flatMap((to) =>
      typeof f.from === "string" ? [{ ...f, to }] : of(f.from).map((from) => ({ ...f, from, to })),
    ),
  );
}

describe("network policies, against the pods the real charts render", function () {
  const charts = new RealCharts();
  const rendered = new Map<string, { resources: DeclaredResource[]; pods: RenderedPod[] }>();
  before(function () {
    charts.start(this);
  });

  /** The stack's declared resources and rendered pods, rendered once per stack. */
  async function stack(name: string) {
    const cached = rendered.get(name);
    if (cached !== undefined) return cached;
    const { resources } = await run(stackInput(name));
    const entry = { resources, pods: stackPods(charts, resources) };
    rendered.set(name, entry);
    return entry;
  }

  for (const [name, s] of Object.entries(STACKS)) {
    const operatorPods = s.pods.filter((p) => OPERATOR_STARTED.includes(p));

    it(`${name}: every allow policy and every pod peer selects a pod of the stack`, async () => {
      const { resources, pods: renderedPods } = await stack(name);
      const pods = [...renderedPods, ...operatorPods];
      const unmatched: string[] = [];
      for (const r of resources.filter((x) => x.type === NETWORK_POLICY)) {
        const p = r.inputs;
        const meta = p["metadata"] as Obj;
        const ingress = ((p["spec"] as Obj)["ingress"] as Obj[] | undefined) ?? [];
        if (ingress.length === 0) continue; // the default deny selects every pod
        if (!pods.some((q) => selects(p, q)))
          unmatched.push(`${String(meta["namespace"])}/${String(meta["name"])}`);
        for (const rule of ingress) {
          for (const peer of (rule["from"] as Obj[] | undefined) ?? []) {
            if (peer["podSelector"] === undefined) continue;
            const ns = (((peer["namespaceSelector"] as Obj)["matchLabels"] as Obj | undefined) ?? {})[
              "kubernetes.io/metadata.name"
            ];
            const asPolicy = { metadata: { namespace: ns }, spec: { podSelector: peer["podSelector"] } };
            if (!pods.some((q) => selects(asPolicy, q))) {
              unmatched.push(
                `${String(meta["name"])} from ${JSON.stringify(peer["podSelector"])} in ${String(ns)}`,
              );
            }
          }
        }
      }
      expect(unmatched).to.deep.equal([]);
    });

    it(`${name}: the rendered pods get each required flow and nothing else`, async () => {
      const { resources, pods: renderedPods } = await stack(name);
      // Pods in the stack's namespaces; host-network pods (node-exporter) are outside NetworkPolicy.
      const inStack = renderedPods.filter((p) => s.namespaces.includes(p.namespace) && !p.hostNetwork);
      const stand = standIns(s.pods, inStack);
      const policies = resources.filter((r) => r.type === NETWORK_POLICY).map((r) => r.inputs);
      expect(
        discrepancies(policies, [...inStack, ...operatorPods], expand(s.flows, stand), APP),
      ).to.deep.equal([]);
    });
  }
});
