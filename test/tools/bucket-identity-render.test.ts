import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { helmTemplate, RenderedObject } from "../../tools/lib/helm";
import { CLOUDS, Cloud, EXPECTED_ANNOTATIONS, withCloud } from "../lib/bucket-identity";
import { HELM_RELEASE, planOf, stackInput } from "../lib/helpers";
import { requireHelm } from "../lib/helm";
import { requireUpstream, upstreamPath } from "../lib/upstream";

interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec?: {
    serviceAccountName?: string;
    containers?: { name: string; env?: { name: string }[]; args?: string[] }[];
  };
}

/** A workload that writes or reads a bucket: its ServiceAccount, pod labels and containers' env. */
interface BucketPod {
  release: string;
  workload: string;
  serviceAccount: string;
  labels: Record<string, string>;
  env: string[];
}

// Loki's targets that touch the bucket (the gateway and the caches do not), Thanos' store
// gateway and compactor, and the Prometheus pods whose sidecar uploads blocks.
const LOKI_BUCKET_COMPONENTS = new Set([
  "single-binary",
  "write",
  "read",
  "backend",
  "distributor",
  "ingester",
  "querier",
  "query-frontend",
  "query-scheduler",
  "index-gateway",
  "compactor",
]);
const THANOS_BUCKET_COMPONENTS = new Set(["storegateway", "compactor"]);
const KEY_ENV = /^(AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|LOKI_S3_ACCESS_KEY_ID|LOKI_S3_SECRET_ACCESS_KEY)$/;

function bucketPods(release: string, objects: readonly RenderedObject[]): BucketPod[] {
  const out: BucketPod[] = [];
  for (const o of objects) {
    const spec = o.spec ?? {};
    if (o.kind === "Prometheus") {
      // The operator makes the pods: their ServiceAccount, labels and the sidecar's env come from the CR.
      const labels = (spec["podMetadata"] as { labels?: Record<string, string> } | undefined)?.labels ?? {};
      const containers = (spec["containers"] as { env?: { name: string }[] }[] | undefined) ?? [];
      out.push({
        release,
        workload: `Prometheus/${o.metadata.name}`,
        serviceAccount: String(spec["serviceAccountName"]),
        labels,
        env: containers.flatMap((c) => (c.env ?? []).map((e) => e.name)),
      });
      continue;
    }
    if (o.kind !== "Deployment" && o.kind !== "StatefulSet") continue;
    if (typeof spec["replicas"] === "number" && spec["replicas"] === 0) continue;
    const pod = spec["template"] as PodTemplate;
    const component = pod.metadata?.labels?.["app.kubernetes.io/component"] ?? "";
    const writes =
      (release === "loki" && LOKI_BUCKET_COMPONENTS.has(component)) ||
      (release === "thanos" && THANOS_BUCKET_COMPONENTS.has(component));
    if (!writes) continue;
    out.push({
      release,
      workload: `${o.kind}/${o.metadata.name}`,
      serviceAccount: pod.spec?.serviceAccountName ?? "default",
      labels: pod.metadata?.labels ?? {},
      env: (pod.spec?.containers ?? []).flatMap((c) => (c.env ?? []).map((e) => e.name)),
    });
  }
  return out;
}

/** The annotations of each ServiceAccount the releases render, by name. */
function serviceAccounts(objects: readonly RenderedObject[]): Map<string, Record<string, string>> {
  return new Map(
    objects
      .filter((o) => o.kind === "ServiceAccount")
      .map((o) => [o.metadata.name, o.metadata.annotations ?? {}]),
  );
}

describe("bucket identity rendered with the real charts", function () {
  this.timeout(300000);

  for (const [stack, clouds] of [
    ["prod", Object.keys(CLOUDS)],
    ["large", Object.keys(CLOUDS)],
  ] as const) {
    for (const cloud of clouds as Cloud[]) {
      it(`of ${stack} on ${cloud}: every pod that uses a bucket runs as an annotated ServiceAccount, with no key env`, async function () {
        requireUpstream(this, "charts");
        const helm = requireHelm(this);
        const doc = await planOf(stackInput(stack, withCloud(stack, cloud)));
        const pods: BucketPod[] = [];
        const accounts = new Map<string, { release: string; annotations: Record<string, string> }>();
        for (const r of doc.resources.filter((x) => x.type === HELM_RELEASE)) {
          const name = String(r.inputs["name"]);
          if (!["loki", "thanos", "kube-prometheus-stack"].includes(name)) continue;
          const chart = String(r.inputs["chart"]).split("/").pop() ?? "";
          const archive = path.join(upstreamPath("charts"), `${chart}-${String(r.inputs["version"])}.tgz`);
          if (!fs.existsSync(archive)) throw new Error(`${archive} is missing`);
          const objects = helmTemplate(helm, {
            archive,
            release: name,
            namespace: String(r.inputs["namespace"]),
            values: r.inputs["values"],
          });
          pods.push(...bucketPods(name, objects));
          for (const [sa, annotations] of serviceAccounts(objects))
            accounts.set(sa, { release: name, annotations });
        }
        const thanosRuns = pods.some((p) => p.release === "thanos");
        expect(pods.filter((p) => p.release === "loki").length, "Loki pods on the bucket").to.be.greaterThan(
          0,
        );
        expect(thanosRuns, "Thanos runs exactly where the stack runs it").to.equal(stack === "large");
        const bucketOf = (p: BucketPod) => (p.release === "loki" ? "loki" : "thanos");
        const problems: string[] = [];
        for (const p of pods) {
          if (p.release === "kube-prometheus-stack" && !thanosRuns) continue;
          const sa = accounts.get(p.serviceAccount);
          if (sa === undefined) {
            problems.push(`${p.workload}: ServiceAccount ${p.serviceAccount} is not rendered by its release`);
            continue;
          }
          const want = EXPECTED_ANNOTATIONS[cloud][bucketOf(p)];
          for (const [k, v] of Object.entries(want)) {
            if (sa.annotations[k] !== v) problems.push(`${p.workload}: ${p.serviceAccount} lacks ${k}: ${v}`);
          }
          const keys = p.env.filter((e) => KEY_ENV.test(e));
          if (keys.length > 0) problems.push(`${p.workload}: key env ${keys.join(", ")}`);
          const azure = p.labels["azure.workload.identity/use"];
          if ((cloud === "aksWorkloadIdentity") !== (azure === "true"))
            problems.push(`${p.workload}: label azure.workload.identity/use is ${String(azure)}`);
        }
        expect(problems).to.deep.equal([]);
        const checked = pods.filter((p) => p.release !== "kube-prometheus-stack" || thanosRuns);
        const sas = [...new Set(checked.map((p) => `${p.release}/${p.serviceAccount}`))];
        console.log(
          `      ${stack} ${cloud}: ${checked.length} workloads on a bucket checked, ServiceAccounts ${sas.join(", ")}`,
        );
      });
    }
  }
});
