import { expect } from "chai";
import { parse } from "yaml";
import { STACK_RELEASE } from "../components/monitoring";
import { CHARTS, parseStackConfig } from "../components/core";
import {
  prometheusStackValues,
  prometheusStackValuesArgs,
  THANOS_SIDECAR_SERVICE,
  thanosObjstoreConfig,
  thanosValues,
} from "../components/monitoring";
import { ProgramRun } from "../tools/lib/run-program";
import { errorFor } from "./lib/config-error";
import { validateCustomResource } from "./lib/crd-schema";
import { find, release, releases, run, stackInput, stackRawConfig, valueOf } from "./lib/helpers";
import { requireUpstream } from "./lib/upstream";
import { valueAt as at } from "../components/kit";

const cloud = {
  cluster: { type: "cloud", context: "prod" },
  sizing: "production",
  tracing: { storage: "badger" },
};
const bucket = {
  region: "eu-west-1",
  bucket: "observability-metrics",
  existingSecret: "thanos-object-storage",
};
const SECRET = "kubernetes:core/v1:Secret";
const SERVICE_MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";

describe("Thanos config", () => {
  it("is off by default, with retention 30d / 180d / 2y and one of each component", () => {
    expect(
      parseStackConfig({ cluster: { type: "kind", context: "kind-observability" } }).thanos,
    ).to.deep.equal({
      enabled: false,
      retention: { raw: "30d", fiveMinutes: "180d", oneHour: "2y" },
      clusterLabel: "kind-observability",
      query: { replicas: 1 },
      queryFrontend: { replicas: 1 },
      storeGateway: { replicas: 1, storage: { size: "10Gi" } },
      compactor: { storage: { size: "50Gi" } },
    });
  });

  it("reads the large stack: the bucket, an existing Secret, two of each query-path component", () => {
    expect(parseStackConfig(stackRawConfig("large")).thanos).to.deep.equal({
      enabled: true,
      objectStorage: {
        endpoint: "s3.eu-west-1.amazonaws.com",
        region: "eu-west-1",
        bucket: "observability-large-metrics",
        forcePathStyle: false,
        insecure: false,
        credentials: { source: "existingSecret", secretName: "thanos-object-storage" },
      },
      retention: { raw: "30d", fiveMinutes: "180d", oneHour: "2y" },
      clusterLabel: "observability-large",
      query: { replicas: 2 },
      queryFrontend: { replicas: 2 },
      storeGateway: { replicas: 2, storage: { size: "50Gi" } },
      compactor: { storage: { size: "200Gi" } },
    });
  });

  it("takes the key pair from the secret keys as the program's own Secret, the endpoint from the region", () => {
    const t = parseStackConfig(
      {
        ...cloud,
        thanos: { enabled: true, objectStorage: { region: "us-east-1", bucket: "metrics-bucket" } },
      },
      new Set(["thanosS3AccessKeyId", "thanosS3SecretAccessKey"]),
    ).thanos;
    expect(t.objectStorage?.credentials).to.deep.equal({
      source: "config",
      secretName: "thanos-s3-credentials",
    });
    expect(t.objectStorage?.endpoint).to.equal("s3.us-east-1.amazonaws.com");
  });

  const cases: [string, Record<string, unknown>, string[], string][] = [
    [
      "Thanos without a bucket",
      { thanos: { enabled: true } },
      [],
      "Invalid stack config: thanos.objectStorage: is required when thanos.enabled is true: the sidecars upload blocks there and the store gateway and compactor read them; set an S3 bucket (thanos.objectStorage.region, thanos.objectStorage.bucket and credentials), e.g. `pulumi config set --path thanos.objectStorage.bucket observability-metrics`",
    ],
    [
      "Thanos without Prometheus",
      {
        prometheus: { enabled: false },
        grafana: { enabled: false },
        thanos: { enabled: true, objectStorage: bucket },
      },
      [],
      "Invalid stack config: thanos.enabled: is true but prometheus.enabled is false, and the Thanos sidecar runs in Prometheus's pods; set `pulumi config set --path prometheus.enabled true`, or `pulumi config set --path thanos.enabled false`",
    ],
    [
      "two sources of credentials",
      { thanos: { enabled: true, objectStorage: bucket } },
      ["thanosS3AccessKeyId", "thanosS3SecretAccessKey"],
      "Invalid stack config: thanos.objectStorage.existingSecret: is set together with the secret keys thanosS3AccessKeyId and thanosS3SecretAccessKey, so the credentials have two sources; keep one: remove thanos.objectStorage.existingSecret, or `pulumi config rm thanosS3AccessKeyId` and `pulumi config rm thanosS3SecretAccessKey`",
    ],
    [
      "half a key pair",
      { thanos: { enabled: true, objectStorage: { region: "eu-west-1", bucket: "observability-metrics" } } },
      ["thanosS3AccessKeyId"],
      "Invalid stack config: thanosS3SecretAccessKey: is not set but thanosS3AccessKeyId is, and S3 needs both halves of the key pair; set it with `pulumi config set --secret thanosS3SecretAccessKey <value>`",
    ],
    [
      "raw data kept too briefly to downsample",
      { thanos: { enabled: true, objectStorage: bucket, retention: { raw: "36h" } } },
      [],
      "Invalid stack config: thanos.retention.raw: is 36h, but the compactor makes 5-minute blocks only from raw blocks 40 hours old, so it must be at least 2d; set e.g. `pulumi config set --path thanos.retention.raw 30d`",
    ],
    [
      "a coarser resolution kept shorter than a finer one",
      { thanos: { enabled: true, objectStorage: bucket, retention: { oneHour: "90d" } } },
      [],
      "Invalid stack config: thanos.retention.oneHour: is 90d, shorter than thanos.retention.fiveMinutes (180d): a coarser resolution is kept at least as long as a finer one; set it to at least 180d, e.g. `pulumi config set --path thanos.retention.oneHour 2y`",
    ],
    [
      "a misspelt field",
      { thanos: { enabled: true, objectStorage: bucket, querier: { replicas: 2 } } },
      [],
      "Invalid stack config: thanos.querier: is not a known key; remove it or use one of: clusterLabel, compactor, enabled, objectStorage, query, queryFrontend, retention, storeGateway",
    ],
  ];
  for (const [what, raw, secretKeys, message] of cases) {
    it(`refuses ${what}, naming the key path and the fix`, () => {
      expect(errorFor({ ...cloud, ...raw }, secretKeys)).to.equal(message);
    });
  }
});

describe("Thanos values", () => {
  const large = parseStackConfig(stackRawConfig("large"));
  const v = thanosValues({
    thanos: large.thanos,
    cluster: large.cluster,
    resources: large.resources,
    namespace: "monitoring",
  });

  it("deduplicate the Prometheus replicas by their replica label, reading the sidecars and the store gateway", () => {
    expect(at(v, "query.replicaLabels")).to.deep.equal(["prometheus_replica"]);
    expect(at(v, "query.endpoints")).to.deep.equal({
      autogen: { enabled: true },
      static: ["dnssrv+_grpc._tcp.kube-prometheus-stack-thanos-discovery.monitoring.svc.cluster.local"],
    });
    expect(THANOS_SIDECAR_SERVICE).to.equal(`${STACK_RELEASE}-thanos-discovery`);
    expect(at(v, "query.replicaCount")).to.equal(2);
    expect(at(v, "query.pdb")).to.deep.equal({ enabled: true, maxUnavailable: 1 });
    expect(at(v, "queryFrontend")).to.deep.include({ enabled: true, replicaCount: 2 });
  });

  it("keep raw, 5-minute and 1-hour blocks as configured, in one compactor without an autoscaler", () => {
    expect(at(v, "compactor.retention")).to.deep.equal({
      resolutionRaw: "30d",
      resolution5m: "180d",
      resolution1h: "2y",
    });
    expect(at(v, "compactor.replicaCount")).to.equal(1);
    expect(at(v, "compactor.vpa")).to.deep.equal({ enabled: false });
    expect(at(v, "compactor.persistence")).to.deep.equal({ enabled: true, size: "200Gi" });
  });

  it("read the bucket's credentials from the Secret by reference, and its config from the program's Secret", () => {
    const env = [
      {
        name: "AWS_ACCESS_KEY_ID",
        valueFrom: { secretKeyRef: { name: "thanos-object-storage", key: "AWS_ACCESS_KEY_ID" } },
      },
      {
        name: "AWS_SECRET_ACCESS_KEY",
        valueFrom: { secretKeyRef: { name: "thanos-object-storage", key: "AWS_SECRET_ACCESS_KEY" } },
      },
    ];
    expect(at(v, "storegateway.extraEnv")).to.deep.equal(env);
    expect(at(v, "compactor.extraEnv")).to.deep.equal(env);
    expect(at(v, "global.objstore")).to.deep.equal({
      createSecret: false,
      secretName: "thanos-objstore",
      secretKey: "objstore.yml",
    });
    const os = large.thanos.objectStorage;
    if (os === undefined) throw new Error("large has a Thanos bucket");
    const objstore = parse(thanosObjstoreConfig(os)) as Record<string, unknown>;
    expect(objstore).to.deep.equal({
      type: "S3",
      config: {
        bucket: "observability-large-metrics",
        endpoint: "s3.eu-west-1.amazonaws.com",
        region: "eu-west-1",
        insecure: false,
        bucket_lookup_type: "auto",
      },
    });
  });

  it("turn off what the stack does not run or does itself: receive, ruler, bucket web, chart monitors and rules", () => {
    expect(v["receive"]).to.deep.equal({ enabled: false });
    expect(v["ruler"]).to.deep.equal({ enabled: false });
    expect(at(v, "bucket.bucketweb.enabled")).to.equal(false);
    expect(at(v, "global.thanosRules.enabled")).to.equal(false);
    expect(at(v, "global.serviceMonitor.enabled")).to.equal(false);
  });

  it("give every Prometheus replica the sized sidecar, the key pair, a cluster label, and Grafana the query-frontend", () => {
    const kps = prometheusStackValues(
      prometheusStackValuesArgs(large, "grafana-admin", undefined, { namespace: "monitoring" }),
    );
    expect(at(kps, "prometheus.prometheusSpec.thanos")).to.deep.equal({
      objectStorageConfig: { existingSecret: { name: "thanos-objstore", key: "objstore.yml" } },
      resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } },
    });
    expect(at(kps, "prometheus.prometheusSpec.containers.0.name")).to.equal("thanos-sidecar");
    expect(at(kps, "prometheus.prometheusSpec.containers.0.env.1.valueFrom.secretKeyRef")).to.deep.equal({
      name: "thanos-object-storage",
      key: "AWS_SECRET_ACCESS_KEY",
    });
    expect(at(kps, "prometheus.prometheusSpec.externalLabels")).to.deep.equal({
      cluster: "observability-large",
    });
    expect(at(kps, "prometheus.thanosService")).to.deep.equal({ enabled: true });
    expect(at(kps, "prometheus.thanosServiceMonitor")).to.deep.equal({ enabled: true });
    expect(at(kps, "grafana.sidecar.datasources")).to.deep.include({
      uid: "prometheus",
      url: "http://thanos-query-frontend.monitoring:9090/",
      extraJsonData: { prometheusType: "Thanos" },
    });
    const prod = prometheusStackValues(
      prometheusStackValuesArgs(parseStackConfig(stackRawConfig("prod")), "grafana-admin"),
    );
    expect(at(prod, "prometheus.prometheusSpec.thanos")).to.equal(undefined);
    expect(at(prod, "grafana.sidecar.datasources.url")).to.equal(undefined);
  });
});

describe("Thanos under mocks", () => {
  let large: ProgramRun;
  let prod: ProgramRun;

  before(async () => {
    large = await run(stackInput("large"));
    prod = await run(stackInput("prod"));
  });

  it("installs the thanos release in monitoring after its Secrets and kube-prometheus-stack, whose sidecars it reads", () => {
    const thanos = release(large.resources, "thanos");
    expect(thanos.inputs).to.deep.include({
      namespace: "monitoring",
      chart: "thanos",
      version: CHARTS.thanos.version,
    });
    expect(thanos.parent).to.equal("observability-thanos");
    expect(thanos.dependsOn).to.deep.equal([
      "ns-monitoring",
      "observability-prometheus-thanos-objstore",
      "kube-prometheus-stack",
    ]);
    expect(release(large.resources, "kube-prometheus-stack").dependsOn).to.include(
      "observability-prometheus-thanos-objstore",
    );
    expect(releases(prod.resources).map((r) => r.name)).not.to.include("thanos");
    expect(prod.resources.filter((r) => /thanos/.test(r.name))).to.deep.equal([]);
  });

  it("keeps the bucket config free of credentials, and a configured key pair in a secret Output only", async () => {
    const objstore = find(large.resources, SECRET, "observability-prometheus-thanos-objstore");
    expect(JSON.stringify(objstore.inputs)).not.to.match(/access_key|secret_key/);
    const withKeys = await run(
      stackInput(
        "large",
        {
          thanos: { enabled: true, objectStorage: { region: "eu-west-1", bucket: "observability-metrics" } },
        },
        { thanosS3AccessKeyId: "AKIAEXAMPLE", thanosS3SecretAccessKey: "very-secret-key" },
      ),
    );
    const creds = find(withKeys.resources, SECRET, "observability-prometheus-thanos-s3-credentials");
    expect(creds.inputs["stringData"]).to.equal("[secret]");
    expect(creds.inputs["metadata"]).to.deep.include({
      name: "thanos-s3-credentials",
      namespace: "monitoring",
    });
    expect(release(withKeys.resources, "kube-prometheus-stack").dependsOn).to.include(
      "observability-prometheus-thanos-s3-credentials",
    );
    expect(JSON.stringify(withKeys)).not.to.include("very-secret-key");
    expect(JSON.stringify(withKeys)).not.to.include("AKIAEXAMPLE");
  });

  it("makes Prometheus scrape Thanos after the CRDs exist, with a monitor valid against the CRD", function () {
    const monitor = find(large.resources, SERVICE_MONITOR, "observability-thanos-servicemonitor");
    expect(monitor.dependsOn).to.deep.equal(["ns-monitoring", "prometheus-operator-crds"]);
    expect(at(monitor.inputs, "spec.selector.matchLabels")).to.deep.equal({
      "app.kubernetes.io/name": "thanos",
      "app.kubernetes.io/instance": "thanos",
    });
    expect(at(monitor.inputs, "spec.endpoints.0.port")).to.equal("http");
    // The sidecars' own monitor comes with kube-prometheus-stack (thanosServiceMonitor).
    expect(
      valueOf(release(large.resources, "kube-prometheus-stack"), "prometheus.thanosServiceMonitor.enabled"),
    ).to.equal(true);
    requireUpstream(this, "crds");
    expect(validateCustomResource(monitor.inputs)).to.deep.equal([]);
  });

  it("lets the component-down alert cover Thanos: its monitors scrape targets in a namespace the alert watches", () => {
    const rules = find(
      large.resources,
      "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
      "observability-stack-alerts",
    );
    const groups = at(rules.inputs, "spec.groups") as { rules: { alert?: string; expr?: string }[] }[];
    const down = groups.flatMap((g) => g.rules).find((r) => r.alert === "ObservabilityComponentDown");
    expect(down?.expr).to.match(/^up\{namespace=~"monitoring\|/);
    expect(
      at(
        find(large.resources, SERVICE_MONITOR, "observability-thanos-servicemonitor").inputs,
        "metadata.namespace",
      ),
    ).to.equal("monitoring");
  });

  it("exports the query-frontend and its port-forward", () => {
    expect(large.outputs["thanos"]).to.deep.equal({
      namespace: "monitoring",
      service: "thanos-query-frontend",
      url: "http://thanos-query-frontend.monitoring:9090/",
      portForward: "kubectl -n monitoring port-forward svc/thanos-query-frontend 9090:9090",
    });
    expect(prod.outputs["thanos"]).to.equal(null);
  });
});
