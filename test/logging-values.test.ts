import { expect } from "chai";
import {
  alloyConfig,
  alloyValues,
  escapeForTpl,
  lokiDatasource,
  lokiValues,
  memcachedMegabytes,
  promtailValues,
} from "../components/logging";
import { stackRawConfig } from "./lib/helpers";
import { StackConfig, parseStackConfig } from "../components/core";
import { DEFAULT_RESOURCES } from "../components/core";
import { valueAt as at } from "../components/kit";
import { LokiConfig } from "../components/logging";

const kind = { cluster: { type: "kind", context: "kind-observability" } };
const s3 = {
  region: "eu-west-1",
  buckets: { chunks: "loki-chunks" },
  existingSecret: "loki-object-storage",
};

function valuesOf(cfg: StackConfig): Record<string, unknown> {
  return lokiValues({ loki: cfg.loki, cluster: cfg.cluster, resources: cfg.resources });
}

/** A values path, or the chart's default for it when unset (defaults of loki 18.11.0's values.yaml). */
function withDefault(values: unknown, path: string): unknown {
  const CHART_DEFAULTS: Record<string, unknown> = {
    "singleBinary.replicas": 0,
    "read.replicas": 3,
    "write.replicas": 3,
    "backend.replicas": 3,
    "test.enabled": true,
    "lokiCanary.enabled": true,
    "loki.storage.type": "s3",
    "minio.enabled": false,
    ignoreMinioDeprecation: false,
  };
  return at(values, path) ?? CHART_DEFAULTS[path];
}

/** The render-time failures of the chart's templates/validate.yaml, evaluated on these values. */
function chartFailures(values: Record<string, unknown>): string[] {
  const failures: string[] = [];
  const num = (p: string) => Number(withDefault(values, p));
  const objectStorage = ["s3", "gcs", "azure", "swift", "alibabacloud"].includes(
    String(withDefault(values, "loki.storage.type")),
  );
  const single = num("singleBinary.replicas");
  const scalable = num("read.replicas") > 0 || num("write.replicas") > 0 || num("backend.replicas") > 0;
  if (!objectStorage && single > 1) {
    failures.push("Cannot run more than 1 Monolithic replica without an object storage backend.");
  }
  if (!objectStorage && single === 0 && scalable) {
    failures.push("Cannot run scalable targets (backend, read, write) without an object storage backend.");
  }
  if (single > 0 && scalable && values["deploymentMode"] !== "Monolithic<->SimpleScalable") {
    failures.push(
      "You have more than zero replicas configured for both the monolithic and simple scalable targets",
    );
  }
  if (
    withDefault(values, "minio.enabled") === true &&
    withDefault(values, "ignoreMinioDeprecation") !== true
  ) {
    failures.push("The Loki chart builtin MinIO dependency is deprecated and will be removed 2026-10-31.");
  }
  if (withDefault(values, "test.enabled") === true && withDefault(values, "lokiCanary.enabled") !== true) {
    failures.push("Helm test requires the Loki Canary to be enabled");
  }
  if (at(values, "loki.schemaConfig") === undefined)
    failures.push("You must provide a schema_config for Loki");
  return failures;
}

const dev = () => parseStackConfig(stackRawConfig("dev"));
const prod = () => parseStackConfig(stackRawConfig("prod"));
const withLoki = (loki: Record<string, unknown>, secretKeys: string[] = []) =>
  parseStackConfig({ ...kind, loki }, new Set(secretKeys));

describe("Loki values", () => {
  it("run dev as one Monolithic binary on a filesystem volume, scalable targets at zero, RF 1", () => {
    const v = valuesOf(dev());
    expect(v["deploymentMode"]).to.equal("Monolithic");
    expect(v["singleBinary"]).to.deep.equal({
      replicas: 1,
      resources: { requests: { cpu: "150m", memory: "320Mi" }, limits: { memory: "640Mi" } },
      // dev sets cluster.retainData false: the claim goes with the StatefulSet.
      persistence: {
        enabled: true,
        size: "10Gi",
        enableStatefulSetAutoDeletePVC: true,
        whenDeleted: "Delete",
        whenScaled: "Retain",
      },
    });
    for (const target of ["read", "write", "backend"])
      expect(v[target], target).to.deep.equal({ replicas: 0 });
    expect(at(v, "loki.commonConfig.replication_factor")).to.equal(1);
    expect(at(v, "loki.storage")).to.deep.equal({ type: "filesystem" });
    expect(at(v, "loki.auth_enabled")).to.equal(false);
  });

  it("turn the caches off on a laptop, and the canary and helm test off together", () => {
    const v = valuesOf(dev());
    expect(v["chunksCache"]).to.deep.equal({ enabled: false });
    expect(v["resultsCache"]).to.deep.equal({ enabled: false });
    expect(v["memcachedExporter"]).to.equal(undefined);
    expect(v["lokiCanary"]).to.deep.equal({ enabled: false });
    expect(v["test"]).to.deep.equal({ enabled: false });
    expect(at(v, "sidecar.rules.enabled")).to.equal(false);
    expect(at(v, "gateway.enabled")).to.equal(true);
    expect(v["minio"]).to.equal(undefined);
    // Chart 18's nginx access-log exporter stays off: nothing scrapes it.
    expect(at(v, "gateway.metrics.enabled")).to.equal(false);
    expect(at(v, "gateway.podDisruptionBudget")).to.equal(undefined);
  });

  it("give the schema one explicit tsdb v13 period from config, and retention through the compactor", () => {
    const d = valuesOf(dev());
    expect(at(d, "loki.schemaConfig")).to.deep.equal({
      configs: [
        {
          from: "2024-04-01",
          store: "tsdb",
          object_store: "filesystem",
          schema: "v13",
          index: { prefix: "index_", period: "24h" },
        },
      ],
    });
    expect(at(d, "loki.limits_config")).to.deep.equal({ retention_period: "7d" });
    expect(at(d, "loki.compactor")).to.deep.equal({
      retention_enabled: true,
      delete_request_store: "filesystem",
    });
    const p = valuesOf(prod());
    expect(at(p, "loki.schemaConfig.configs.0.object_store")).to.equal("s3");
    expect(at(p, "loki.limits_config")).to.deep.equal({ retention_period: "30d" });
    expect(at(p, "loki.compactor")).to.deep.equal({ retention_enabled: true, delete_request_store: "s3" });
    const moved = valuesOf(withLoki({ schemaFrom: "2025-01-15" }));
    expect(at(moved, "loki.schemaConfig.configs.0.from")).to.equal("2025-01-15");
  });

  it("run prod as SimpleScalable: HA targets spread per node, RF 3, multi-tenant", () => {
    const v = valuesOf(prod());
    expect(v["deploymentMode"]).to.equal("SimpleScalable");
    expect(v["singleBinary"]).to.deep.equal({ replicas: 0 });
    for (const target of ["read", "write", "backend"]) {
      expect(at(v, `${target}.replicas`), target).to.equal(3);
      expect(at(v, `${target}.affinity`), target).to.deep.equal({
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            {
              labelSelector: { matchLabels: { "app.kubernetes.io/component": target } },
              topologyKey: "kubernetes.io/hostname",
            },
          ],
        },
      });
    }
    // prod keeps its data (cluster.retainData defaults to true): no claim goes with its StatefulSet.
    for (const target of ["write", "backend"])
      expect(at(v, `${target}.persistence`), target).to.deep.equal({
        size: "50Gi",
        enableStatefulSetAutoDeletePVC: false,
      });
    expect(at(v, "read.persistence")).to.equal(undefined);
    expect(at(v, "gateway.replicas")).to.equal(2);
    expect(at(v, "gateway.affinity")).to.not.equal(undefined);
    expect(at(v, "loki.commonConfig.replication_factor")).to.equal(3);
    expect(at(v, "loki.auth_enabled")).to.equal(true);
  });

  it("point prod at the S3 bucket with only ${VAR} references, read from the named Secret", () => {
    const v = valuesOf(prod());
    expect(at(v, "loki.storage")).to.deep.equal({
      type: "s3",
      bucketNames: { chunks: "observability-prod-loki-chunks" },
      s3: {
        endpoint: "s3.eu-west-1.amazonaws.com",
        region: "eu-west-1",
        accessKeyId: "${LOKI_S3_ACCESS_KEY_ID}",
        secretAccessKey: "${LOKI_S3_SECRET_ACCESS_KEY}",
        s3ForcePathStyle: false,
        insecure: false,
      },
    });
    for (const target of ["read", "write", "backend"]) {
      expect(at(v, `${target}.extraArgs`), target).to.deep.equal(["-config.expand-env=true"]);
      expect(at(v, `${target}.extraEnv`), target).to.deep.equal([
        {
          name: "LOKI_S3_ACCESS_KEY_ID",
          valueFrom: { secretKeyRef: { name: "loki-object-storage", key: "AWS_ACCESS_KEY_ID" } },
        },
        {
          name: "LOKI_S3_SECRET_ACCESS_KEY",
          valueFrom: { secretKeyRef: { name: "loki-object-storage", key: "AWS_SECRET_ACCESS_KEY" } },
        },
      ]);
    }
  });

  it("size prod's caches from their requests, leaving memcached's overhead inside the request", () => {
    const v = valuesOf(prod());
    expect(v["chunksCache"]).to.deep.equal({
      enabled: true,
      allocatedMemory: 3413,
      resources: { requests: { cpu: "500m", memory: "4Gi" }, limits: { memory: "5Gi" } },
    });
    expect(at(v, "resultsCache.allocatedMemory")).to.equal(853);
    expect(v["memcachedExporter"]).to.deep.equal({
      enabled: true,
      resources: { requests: { cpu: "20m", memory: "32Mi" }, limits: { memory: "64Mi" } },
    });
    expect(memcachedMegabytes(DEFAULT_RESOURCES.laptop.lokiChunksCache)).to.equal(213);
  });

  it("keep every component's claims when its StatefulSet goes exactly when cluster.retainData is true, whatever the chart defaults", () => {
    // Every component that can hold a claim, in each mode: dev's single binary, prod's write and
    // backend, and a Distributed stack's ingester, index gateway and compactor.
    const distributed = parseStackConfig({
      cluster: { type: "cloud", context: "prod" },
      sizing: "production",
      tracing: { storage: "badger" },
      loki: { mode: "Distributed", objectStorage: s3 },
    });
    const paths = [
      "singleBinary.persistence",
      "write.persistence",
      "backend.persistence",
      "ingester.persistence",
      "indexGateway.persistence",
      "compactor.persistence",
    ];
    for (const retainData of [true, false]) {
      const policies = [dev(), prod(), distributed].flatMap((cfg) => {
        const v = lokiValues({
          loki: cfg.loki,
          cluster: { ...cfg.cluster, retainData },
          resources: cfg.resources,
        });
        return paths
          .map((p) => at(v, p) as Record<string, unknown> | undefined)
          .filter((p) => p !== undefined)
          .map((p) => [p["enableStatefulSetAutoDeletePVC"], p["whenDeleted"], p["whenScaled"]].join(" "));
      });
      expect(policies.length, "components with claims across the modes").to.equal(6);
      expect(new Set(policies), `retainData ${String(retainData)}`).to.deep.equal(
        new Set([retainData ? "false  " : "true Delete Retain"]),
      );
    }
  });

  it("put volumes on the configured StorageClass", () => {
    const cfg = parseStackConfig({ cluster: { ...kind.cluster, storageClass: "fast" } });
    expect(at(valuesOf(cfg), "singleBinary.persistence")).to.deep.equal({
      enabled: true,
      size: "10Gi",
      storageClass: "fast",
      enableStatefulSetAutoDeletePVC: false,
    });
  });

  it("keep a disruption budget on two or more gateways, which chart 18 renders only with a bound", () => {
    const v = valuesOf(prod());
    expect(at(v, "gateway.replicas")).to.equal(2);
    expect(at(v, "gateway.podDisruptionBudget")).to.deep.equal({ maxUnavailable: 1 });
  });

  it("send the chart's current mode names, whichever name the stack file uses", () => {
    expect(at(valuesOf(withLoki({ mode: "SingleBinary" })), "deploymentMode")).to.equal("Monolithic");
    expect(
      at(valuesOf(withLoki({ mode: "SingleBinary<->SimpleScalable", objectStorage: s3 })), "deploymentMode"),
    ).to.equal("Monolithic<->SimpleScalable");
  });

  it("never fail the chart's own render-time checks, in any mode the config accepts", () => {
    const configs: [string, StackConfig][] = [
      ["dev", dev()],
      ["prod", prod()],
      ["Monolithic on S3", withLoki({ objectStorage: s3 })],
      ["two single binaries on S3", withLoki({ objectStorage: s3, singleBinary: { replicas: 2 } })],
      ["transitional", withLoki({ mode: "Monolithic<->SimpleScalable", objectStorage: s3 })],
    ];
    for (const [what, cfg] of configs) expect(chartFailures(valuesOf(cfg)), what).to.deep.equal([]);
  });

  it("would fail the chart's checks without the explicit zeros (the oracle above can fail)", () => {
    const v = valuesOf(dev());
    const withoutRead = Object.fromEntries(Object.entries(v).filter(([key]) => key !== "read"));
    expect(chartFailures(withoutRead)).to.deep.equal([
      "You have more than zero replicas configured for both the monolithic and simple scalable targets",
    ]);
    expect(chartFailures({ ...v, minio: { enabled: true } })).to.deep.equal([
      "The Loki chart builtin MinIO dependency is deprecated and will be removed 2026-10-31.",
    ]);
    expect(chartFailures({ ...v, test: { enabled: true } })).to.deep.equal([
      "Helm test requires the Loki Canary to be enabled",
    ]);
  });
});

describe("the migration from Monolithic to SimpleScalable", () => {
  // The README's steps, as stack config: each is what `pulumi up` applies in turn.
  const steps: [string, Record<string, unknown>][] = [
    ["1. Monolithic on the bucket", { objectStorage: s3 }],
    ["2. both targets (transitional)", { mode: "Monolithic<->SimpleScalable", objectStorage: s3 }],
    ["3. SimpleScalable", { mode: "SimpleScalable", objectStorage: s3 }],
  ];
  const values = steps.map(([, loki]) => valuesOf(withLoki(loki)));

  it("accepts every step and keeps schema, buckets and credentials identical throughout", () => {
    for (const v of values) {
      expect(at(v, "loki.schemaConfig")).to.deep.equal(at(values[0], "loki.schemaConfig"));
      expect(at(v, "loki.storage")).to.deep.equal(at(values[0], "loki.storage"));
    }
  });

  it("runs the single binary, then both, then only the scalable targets", () => {
    const replicas = values.map((v) => [
      v["deploymentMode"],
      at(v, "singleBinary.replicas"),
      at(v, "read.replicas"),
      at(v, "write.replicas"),
      at(v, "backend.replicas"),
      at(v, "loki.commonConfig.replication_factor"),
    ]);
    expect(replicas).to.deep.equal([
      ["Monolithic", 1, 0, 0, 0, 1],
      ["Monolithic<->SimpleScalable", 1, 3, 3, 3, 3],
      ["SimpleScalable", 0, 3, 3, 3, 3],
    ]);
  });

  it("gives the single binary the bucket credentials too while it shares the bucket", () => {
    expect(at(values[1], "singleBinary.extraEnv")).to.deep.equal(at(values[1], "write.extraEnv"));
    expect(at(values[1], "singleBinary.extraArgs")).to.deep.equal(["-config.expand-env=true"]);
  });
});

describe("the log collectors' values", () => {
  const url = "http://loki-gateway.logging.svc/loki/api/v1/push";

  it("Alloy discovers only its own node's pods through the API and labels namespace, pod, container, app", () => {
    const text = alloyConfig({ url });
    expect(text).to.include('field = "spec.nodeName=" + sys.env("HOSTNAME")');
    for (const [meta, label] of [
      ["__meta_kubernetes_namespace", "namespace"],
      ["__meta_kubernetes_pod_name", "pod"],
      ["__meta_kubernetes_pod_container_name", "container"],
    ]) {
      expect(text).to.include(`    source_labels = ["${meta}"]\n    target_label  = "${label}"`);
    }
    expect(text).to.include('target_label  = "app"');
    expect(text).to.include("loki.source.kubernetes");
    expect(text).to.include(`url = "${url}"`);
    expect(text).not.to.include("tenant_id");
  });

  it("Alloy sends the tenant id when Loki runs with auth", () => {
    expect(alloyConfig({ url, tenantId: "platform" })).to.include('tenant_id = "platform"');
  });

  it("Alloy's config survives the chart's tpl: a literal {{ is escaped", () => {
    expect(escapeForTpl('a {{ b }} "{{"')).to.equal('a {{ "{{" }} b }} "{{ "{{" }}"');
    const v = alloyValues({ target: { url: "http://x/{{push}}" }, resources: DEFAULT_RESOURCES.laptop });
    const content = String(at(v, "alloy.configMap.content"));
    expect(content).to.include('url = "http://x/{{ "{{" }}push}}"');
    expect(content).to.equal(escapeForTpl(alloyConfig({ url: "http://x/{{push}}" })));
  });

  it("Alloy runs as a DaemonSet without host paths, CRDs or usage reports", () => {
    const v = alloyValues({ target: { url }, resources: DEFAULT_RESOURCES.laptop });
    expect(v["controller"]).to.deep.equal({ type: "daemonset" });
    expect(v["crds"]).to.deep.equal({ create: false });
    expect(at(v, "alloy.mounts")).to.deep.equal({ varlog: false, dockercontainers: false });
    expect(at(v, "alloy.enableReporting")).to.equal(false);
    expect(at(v, "alloy.configMap.create")).to.equal(true);
    expect(at(v, "configReloader.resources")).to.deep.equal({
      requests: { cpu: "5m", memory: "16Mi" },
      limits: { memory: "32Mi" },
    });
  });

  it("Promtail pushes to the same URL, with the tenant when there is one", () => {
    expect(promtailValues({ target: { url }, resources: DEFAULT_RESOURCES.laptop })).to.deep.equal({
      config: { clients: [{ url }] },
      resources: { requests: { cpu: "40m", memory: "96Mi" }, limits: { memory: "192Mi" } },
    });
    expect(
      at(
        promtailValues({ target: { url, tenantId: "platform" }, resources: DEFAULT_RESOURCES.laptop }),
        "config",
      ),
    ).to.deep.equal({ clients: [{ url, tenant_id: "platform" }] });
  });
});

describe("the Loki datasource", () => {
  const loki = (authEnabled: boolean): Pick<LokiConfig, "authEnabled" | "tenant"> => ({
    authEnabled,
    tenant: "platform",
  });

  it("points Grafana at the gateway with the fixed uid loki", () => {
    expect(lokiDatasource("logging", loki(false))).to.deep.equal({
      name: "Loki",
      type: "loki",
      uid: "loki",
      url: "http://loki-gateway.logging.svc",
      jsonData: { maxLines: 1000 },
    });
  });

  it("queries as the tenant when Loki runs with auth", () => {
    const ds = lokiDatasource("logging", loki(true));
    expect(ds.jsonData).to.deep.equal({ maxLines: 1000, httpHeaderName1: "X-Scope-OrgID" });
    expect(ds.secureJsonData).to.deep.equal({ httpHeaderValue1: "platform" });
  });
});
