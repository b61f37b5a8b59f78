/**
 * The NetworkPolicies' pod selectors against the pods the real charts render: a selector that
 * matches no pod would leave a workload behind the default deny with nothing allowed in, so every
 * allow policy and every pod peer must select at least one pod of the stack. Pods that operators
 * start (Prometheus, Alertmanager, ECK's) are not in any chart: their labels are the ones those
 * operators document, listed below.
 */
import { expect } from "chai";
import { DeclaredResource } from "../../tools/lib/run-program";
import { HELM_RELEASE, run, stackInput } from "../lib/helpers";
import { Pod, selects } from "../lib/network-policy";
import { RealCharts } from "../lib/real-charts";

const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
type Obj = Record<string, unknown>;

/** Labels prometheus-operator and ECK put on the pods they start (besides others). */
const OPERATOR_PODS: Pod[] = [
  pod("prometheus", "monitoring", { "app.kubernetes.io/name": "prometheus" }),
  pod("alertmanager", "monitoring", { "app.kubernetes.io/name": "alertmanager" }),
  pod("elasticsearch", "search", { "elasticsearch.k8s.elastic.co/cluster-name": "elasticsearch" }),
  pod("kibana", "search", { "kibana.k8s.elastic.co/name": "kibana" }),
  pod("filebeat", "search", { "beat.k8s.elastic.co/name": "filebeat" }),
];

function pod(name: string, namespace: string, labels: Record<string, string>): Pod {
  return { name, namespace, labels };
}

/** The pod templates of workloads: Deployments, StatefulSets, DaemonSets, Jobs and CronJobs. */
function podTemplates(doc: unknown, namespace: string): Pod[] {
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
    pod(String(meta["name"]), typeof meta["namespace"] === "string" ? meta["namespace"] : namespace, labels),
  ];
}

function stackPods(charts: RealCharts, resources: readonly DeclaredResource[]): Pod[] {
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

describe("network policies, against the pods the real charts render", function () {
  const charts = new RealCharts();
  before(function () {
    charts.start(this);
  });

  for (const stack of ["dev", "prod"]) {
    it(`${stack}: every allow policy and every pod peer selects a pod of the stack`, async () => {
      const { resources } = await run(stackInput(stack));
      const pods = [...stackPods(charts, resources), ...OPERATOR_PODS];
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
  }
});
