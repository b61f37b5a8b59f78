import { expect } from "chai";
import * as path from "path";
import { helmTemplate, RenderedObject } from "../../tools/lib/helm";
import { planContainers } from "../../tools/lib/budget";
import { POD_OF, stackPods } from "../../tools/lib/node-sizing";
import { parseQuantity } from "../../components/kit";
import { STACKS } from "../../tools/resources";
import { HELM_RELEASE, plan } from "../lib/helpers";
import { requireHelm } from "../lib/helm";
import { requireUpstream, upstreamPath } from "../lib/upstream";

interface PodSpecLike {
  containers?: { resources?: { requests?: Record<string, string | number> } }[];
  affinity?: {
    podAntiAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: {
        topologyKey: string;
        labelSelector?: { matchExpressions?: { key: string; operator: string }[] };
      }[];
    };
  };
}

/**
 * One line per pod a release's chart renders (DaemonSets left out: they run per node), in the
 * sizing model's terms: replicas, what one replica requests, and its hard spread. Zone-aware
 * StatefulSets (one per zone, kept apart by a `rollout-group` anti-affinity) become one line.
 */
function renderedPods(release: string, objects: readonly RenderedObject[]): string[] {
  const lines: string[] = [];
  const zoned = new Map<string, { replicas: number; zones: number; cpu: number; memory: number }>();
  for (const o of objects) {
    if (o.kind !== "Deployment" && o.kind !== "StatefulSet") continue;
    const spec = (o.spec?.["template"] as { spec: PodSpecLike }).spec;
    const replicas = typeof o.spec?.["replicas"] === "number" ? o.spec["replicas"] : 1;
    if (replicas === 0) continue;
    let cpu = 0;
    let memory = 0;
    for (const c of spec.containers ?? []) {
      cpu += parseQuantity(String(c.resources?.requests?.["cpu"] ?? "0"));
      memory += parseQuantity(String(c.resources?.requests?.["memory"] ?? "0"));
    }
    const required = spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
    const rollout = required.find((r) =>
      (r.labelSelector?.matchExpressions ?? []).some((e) => e.key === "rollout-group"),
    );
    if (rollout !== undefined) {
      const group = zoned.get(release) ?? { replicas: 0, zones: 0, cpu, memory };
      zoned.set(release, { ...group, replicas: group.replicas + replicas, zones: group.zones + 1 });
      continue;
    }
    const spread = required.some((r) => r.topologyKey === "kubernetes.io/hostname") ? "node" : "-";
    lines.push(`${release} x${replicas} ${cpu.toFixed(3)} ${memory} ${spread}`);
  }
  for (const [r, g] of zoned)
    lines.push(`${r} x${g.replicas} ${g.cpu.toFixed(3)} ${g.memory} zones:${g.zones}`);
  return lines.sort();
}

describe("node sizing against the real charts", function () {
  this.timeout(300000);

  for (const stack of STACKS) {
    it(`${stack}: the pods the sizing counts, their requests and hard anti-affinity, are the ones the charts render`, async function () {
      requireUpstream(this, "charts");
      const helm = requireHelm(this);
      const doc = await plan(stack);
      // Istio injects its sidecars at admission, so the charts do not render them.
      const injected = (u: { release: string; container: string }) =>
        POD_OF[u.release]?.[u.container] !== undefined && u.container.includes("istio-proxy");
      const { pods } = stackPods(planContainers(doc).filter((u) => !injected(u)));
      const rendered: string[] = [];
      const releases = new Set<string>();
      for (const r of doc.resources.filter((x) => x.type === HELM_RELEASE)) {
        const chart = String(r.inputs["chart"]).split("/").pop() ?? "";
        const release = String(r.inputs["name"]);
        releases.add(release);
        const objects = helmTemplate(helm, {
          archive: path.join(upstreamPath("charts"), `${chart}-${String(r.inputs["version"])}.tgz`),
          release,
          namespace: String(r.inputs["namespace"]),
          values: r.inputs["values"],
        });
        rendered.push(...renderedPods(release, objects));
      }
      // The Prometheus operator makes the Prometheus and Alertmanager pods, not the chart.
      const operatorMade = new Set([
        "kube-prometheus-stack prometheus",
        "kube-prometheus-stack alertmanager",
      ]);
      const modelled = pods
        .filter((p) => releases.has(p.release) && !operatorMade.has(`${p.release} ${p.pod}`))
        .map((p) => {
          const spread =
            p.spread === undefined ? "-" : p.spread.kind === "node" ? "node" : `zones:${p.spread.zones}`;
          return `${p.release} x${p.replicas} ${p.cpu.toFixed(3)} ${p.memory} ${spread}`;
        })
        .sort();
      expect(modelled).to.deep.equal(rendered.sort());
    });
  }
});
