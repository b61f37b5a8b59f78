import { expect } from "chai";
import { parseStackConfig, StackConfig } from "../components/core";
import { containerUsage, valueAt as at } from "../components/kit";
import { LOKI_CONTAINERS, lokiTargetComponents, lokiValues } from "../components/logging";
import {
  LOKI_DISTRIBUTED_COMPONENTS,
  LOKI_SCALE_PRESETS,
  LokiDistributedComponent,
} from "../components/logging";
import { errorFor } from "./lib/config-error";

const cloud = {
  cluster: { type: "cloud", context: "prod" },
  sizing: "production",
  tracing: { storage: "badger" },
};
const s3 = {
  region: "eu-west-1",
  buckets: { chunks: "loki-chunks" },
  existingSecret: "loki-object-storage",
};
const withLoki = (loki: Record<string, unknown>): StackConfig => parseStackConfig({ ...cloud, loki });
const valuesOf = (cfg: StackConfig) =>
  lokiValues({ loki: cfg.loki, cluster: cfg.cluster, resources: cfg.resources });

/**
 * The loki 6.55.0 chart's render-time failures that concern Distributed mode (templates/validate.yaml
 * and the components' PodDisruptionBudgets), evaluated on these values; the real render is
 * test/tools/chart-render.test.ts.
 */
function distributedChartFailures(v: Record<string, unknown>): string[] {
  const failures: string[] = [];
  const n = (p: string) => Number(at(v, p) ?? 0);
  const distributed = LOKI_DISTRIBUTED_COMPONENTS.some((c) => n(`${c}.replicas`) > 0);
  const scalable = ["read", "write", "backend"].some((t) => n(`${t}.replicas`) > 0);
  if (distributed && scalable && v["deploymentMode"] !== "SimpleScalable<->Distributed") {
    failures.push("more than zero replicas for scalable targets and distributed targets");
  }
  if (distributed && n("singleBinary.replicas") > 0) {
    failures.push("more than zero replicas for both the single binary and distributed targets");
  }
  for (const c of LOKI_DISTRIBUTED_COMPONENTS) {
    if (n(`${c}.replicas`) > 1 && at(v, `${c}.maxUnavailable`) === undefined) {
      failures.push(`.Values.${c}.maxUnavailable must be set`);
    }
  }
  return failures;
}

describe("Loki Distributed mode config", () => {
  it("runs the small preset by default, no single binary or scalable targets, caches on", () => {
    const loki = withLoki({ mode: "Distributed", objectStorage: s3 }).loki;
    expect(loki.distributed).to.deep.equal({
      scale: "small",
      replicas: {
        distributor: 2,
        ingester: 3,
        querier: 2,
        queryFrontend: 2,
        queryScheduler: 2,
        indexGateway: 2,
        compactor: 1,
      },
    });
    expect(loki.singleBinary.replicas).to.equal(0);
    expect(loki.simpleScalable).to.deep.equal({ read: 0, write: 0, backend: 0 });
    expect(loki.caches).to.equal(true);
  });

  it("takes the large preset as Loki publishes its tier under 3 TB/day", () => {
    expect(
      withLoki({ mode: "Distributed", scale: "large", objectStorage: s3 }).loki.distributed,
    ).to.deep.equal({
      scale: "large",
      replicas: {
        distributor: 4,
        ingester: 6,
        querier: 10,
        queryFrontend: 2,
        queryScheduler: 2,
        indexGateway: 4,
        compactor: 1,
      },
    });
    expect(LOKI_SCALE_PRESETS.small.gbPerDay).to.equal(100);
    expect(LOKI_SCALE_PRESETS.medium.gbPerDay).to.equal(1000);
    expect(LOKI_SCALE_PRESETS.large.gbPerDay).to.equal(3000);
  });

  it("keeps every preset's ingesters a multiple of three, one set per zone", () => {
    for (const [scale, preset] of Object.entries(LOKI_SCALE_PRESETS)) {
      expect(preset.replicas.ingester % 3, scale).to.equal(0);
      expect(preset.replicas.compactor, scale).to.equal(1);
    }
  });

  it("has no distributed components outside the Distributed modes", () => {
    expect(withLoki({ mode: "SimpleScalable", objectStorage: s3 }).loki.distributed).to.equal(undefined);
    const both = withLoki({ mode: "SimpleScalable<->Distributed", objectStorage: s3 }).loki;
    expect(both.simpleScalable).to.deep.equal({ read: 3, write: 3, backend: 3 });
    expect(both.distributed?.scale).to.equal("small");
  });

  it("refuses Distributed without object storage, naming the key", () => {
    expect(errorFor({ ...cloud, loki: { mode: "Distributed" } })).to.equal(
      "Invalid stack config: loki.objectStorage: is required when loki.mode is Distributed: the distributed components share data only through object storage; set an S3-compatible bucket (loki.objectStorage.region, loki.objectStorage.buckets.chunks and credentials; loki.objectStorage.endpoint for a store you run yourself), e.g. `pulumi config set --path loki.objectStorage.buckets.chunks loki-chunks`",
    );
  });

  it("refuses a scale outside Distributed mode, and an unknown scale", () => {
    expect(
      errorFor({ ...cloud, loki: { mode: "SimpleScalable", scale: "large", objectStorage: s3 } }),
    ).to.equal(
      "Invalid stack config: loki.scale: is set, but loki.mode is SimpleScalable, which runs no distributed components for it to size; remove it with `pulumi config rm --path loki.scale`, or set `pulumi config set --path loki.mode Distributed`",
    );
    expect(errorFor({ ...cloud, loki: { mode: "Distributed", scale: "huge", objectStorage: s3 } })).to.equal(
      'Invalid stack config: loki.scale: must be one of small, medium, large, got "huge"; set one of them, e.g. `pulumi config set --path loki.scale small`',
    );
  });

  it("refuses scalable targets in Distributed mode and points at the transitional mode", () => {
    expect(
      errorFor({ ...cloud, loki: { mode: "Distributed", objectStorage: s3, simpleScalable: { read: 2 } } }),
    ).to.equal(
      "Invalid stack config: loki.simpleScalable.read: is 2, but loki.mode is Distributed, which runs no read, write or backend targets; remove it with `pulumi config rm --path loki.simpleScalable.read`, or set `pulumi config set --path loki.mode SimpleScalable<->Distributed` to run both while migrating",
    );
  });

  it("refuses a single binary beside the distributed components, which the chart cannot run", () => {
    expect(
      errorFor({ ...cloud, loki: { mode: "Distributed", objectStorage: s3, singleBinary: { replicas: 1 } } }),
    ).to.equal(
      "Invalid stack config: loki.singleBinary.replicas: is 1, but loki.mode is Distributed, and the chart cannot run a single binary beside the distributed components; remove it with `pulumi config rm --path loki.singleBinary.replicas`; to leave Monolithic, migrate to SimpleScalable first (docs/logs.md)",
    );
  });
});

describe("Loki Distributed mode values", () => {
  const large = valuesOf(withLoki({ mode: "Distributed", scale: "large", objectStorage: s3 }));

  it("run each component with its preset's replicas, sized by the production preset", () => {
    const replicas = Object.fromEntries(
      LOKI_DISTRIBUTED_COMPONENTS.map((c) => [c, at(large, `${c}.replicas`)]),
    );
    expect(replicas).to.deep.equal(LOKI_SCALE_PRESETS.large.replicas);
    expect(at(large, "ingester.resources")).to.deep.equal({
      requests: { cpu: "2", memory: "4Gi" },
      limits: { memory: "8Gi" },
    });
    expect(at(large, "compactor.resources")).to.deep.equal({
      requests: { cpu: "2", memory: "10Gi" },
      limits: { memory: "12Gi" },
    });
    for (const t of ["singleBinary", "read", "write", "backend"])
      expect(at(large, `${t}.replicas`), t).to.equal(0);
    expect(large["deploymentMode"]).to.equal("Distributed");
  });

  it("replicate every write to three zone-aware ingesters, on volumes", () => {
    expect(at(large, "ingester.zoneAwareReplication")).to.deep.equal({ enabled: true });
    expect(at(large, "loki.commonConfig.replication_factor")).to.equal(3);
    expect(at(large, "ingester.persistence")).to.deep.equal({
      enabled: true,
      claims: [{ name: "data", accessModes: ["ReadWriteOnce"], size: "10Gi" }],
      enableStatefulSetAutoDeletePVC: false,
    });
    expect(at(large, "indexGateway.persistence")).to.deep.equal({
      enabled: true,
      size: "10Gi",
      enableStatefulSetAutoDeletePVC: false,
    });
    expect(at(large, "compactor.persistence.enabled")).to.equal(true);
  });

  it("give every component the bucket credentials by reference only, and keep the ruler off", () => {
    for (const c of LOKI_DISTRIBUTED_COMPONENTS) {
      expect(at(large, `${c}.extraArgs`), c).to.deep.equal(["-config.expand-env=true"]);
      expect(at(large, `${c}.extraEnv.0.valueFrom.secretKeyRef`), c).to.deep.equal({
        name: "loki-object-storage",
        key: "AWS_ACCESS_KEY_ID",
      });
    }
    expect(large["ruler"]).to.deep.equal({ enabled: false, replicas: 0 });
  });

  it("never fail the chart's Distributed checks in any mode the config accepts", () => {
    const configs: [string, StackConfig][] = [
      ["small", withLoki({ mode: "Distributed", objectStorage: s3 })],
      ["medium", withLoki({ mode: "Distributed", scale: "medium", objectStorage: s3 })],
      ["large", withLoki({ mode: "Distributed", scale: "large", objectStorage: s3 })],
      ["transitional", withLoki({ mode: "SimpleScalable<->Distributed", objectStorage: s3 })],
      ["SimpleScalable", withLoki({ mode: "SimpleScalable", objectStorage: s3 })],
      ["Monolithic", parseStackConfig({ cluster: { type: "kind", context: "kind-observability" } })],
    ];
    for (const [what, cfg] of configs)
      expect(distributedChartFailures(valuesOf(cfg)), what).to.deep.equal([]);
    // The oracle can fail: without the PDB setting, or with the targets of both modes outside the transition.
    const querier = { ...(at(large, "querier") as Record<string, unknown>) };
    delete querier["maxUnavailable"];
    expect(distributedChartFailures({ ...large, querier })).to.deep.equal([
      ".Values.querier.maxUnavailable must be set",
    ]);
    expect(distributedChartFailures({ ...large, read: { replicas: 1 } })).to.deep.equal([
      "more than zero replicas for scalable targets and distributed targets",
    ]);
  });

  it("list every component in the inventory that the resource tables read", () => {
    const usage = containerUsage("loki", large, LOKI_CONTAINERS);
    const counts = Object.fromEntries(usage.map((u) => [u.container, u.count]));
    const expected: Record<string, LokiDistributedComponent> = {
      distributor: "distributor",
      ingester: "ingester",
      querier: "querier",
      "query-frontend": "queryFrontend",
      "query-scheduler": "queryScheduler",
      "index-gateway": "indexGateway",
      compactor: "compactor",
    };
    for (const [container, key] of Object.entries(expected)) {
      expect(counts[container], container).to.equal(LOKI_SCALE_PRESETS.large.replicas[key]);
    }
    expect(
      usage.every((u) => u.cpu !== undefined && u.memory !== undefined && u.memoryLimit !== undefined),
    ).to.equal(true);
  });
});

describe("the migration from SimpleScalable to Distributed", () => {
  // docs/logs.md's steps, as stack config: each is what `pulumi up` applies in turn.
  const steps = [
    { mode: "SimpleScalable", objectStorage: s3 },
    { mode: "SimpleScalable<->Distributed", objectStorage: s3 },
    { mode: "Distributed", objectStorage: s3 },
  ].map((loki) => valuesOf(withLoki(loki)));

  it("accepts every step and keeps schema, buckets and credentials identical throughout", () => {
    for (const v of steps) {
      expect(at(v, "loki.schemaConfig")).to.deep.equal(at(steps[0], "loki.schemaConfig"));
      expect(at(v, "loki.storage")).to.deep.equal(at(steps[0], "loki.storage"));
      expect(distributedChartFailures(v)).to.deep.equal([]);
    }
  });

  it("runs the scalable targets, then both in one ring, then only the distributed components", () => {
    expect(
      steps.map((v) => [
        v["deploymentMode"],
        at(v, "write.replicas"),
        at(v, "backend.replicas"),
        at(v, "ingester.replicas"),
        at(v, "distributor.replicas"),
        at(v, "loki.commonConfig.replication_factor"),
      ]),
    ).to.deep.equal([
      ["SimpleScalable", 3, 3, 0, 0, 3],
      ["SimpleScalable<->Distributed", 3, 3, 3, 2, 3],
      ["Distributed", 0, 0, 3, 2, 3],
    ]);
  });
});

describe("Loki's targets, as the NetworkPolicies select them", () => {
  it("are the chart's component labels of what each mode runs, both kinds while migrating", () => {
    const modes = [
      { mode: "Monolithic" },
      { mode: "Monolithic<->SimpleScalable", objectStorage: s3 },
      { mode: "SimpleScalable", objectStorage: s3 },
      { mode: "SimpleScalable<->Distributed", objectStorage: s3 },
      { mode: "Distributed", objectStorage: s3 },
    ];
    const distributed = [
      "distributor",
      "ingester",
      "querier",
      "query-frontend",
      "query-scheduler",
      "index-gateway",
      "compactor",
    ];
    expect(modes.map((loki) => lokiTargetComponents(withLoki(loki).loki))).to.deep.equal([
      ["single-binary"],
      ["single-binary", "read", "write", "backend"],
      ["read", "write", "backend"],
      ["read", "write", "backend", ...distributed],
      distributed,
    ]);
  });
});
