import { expect } from "chai";
import { parse, stringify } from "yaml";
import { datasourceProvisioning, PROMETHEUS_DATASOURCE_UID } from "../components/grafana";
import {
  BACKEND_EXPORTER,
  collectorPipelineConfig,
  collectorValues,
  COLLECTOR_IMAGE,
  COLLECTOR_SELECTOR,
  JAEGER_DATASOURCE_UID,
  JAEGER_PORTS,
  JAEGER_SELECTOR,
  jaegerConfig,
  jaegerDatasource,
  jaegerValues,
  K8S_ATTRIBUTES_PROCESSOR,
  LOKI_DATASOURCE_UID,
  lokiTraceDerivedFields,
  otlpServiceSpec,
  TRACE_ID_PATTERN,
} from "../components/tracing";
import { planContainers } from "../tools/lib/budget";
import { ProgramRun, runProgram } from "../tools/lib/run-program";
import { validateCustomResource } from "./lib/crd-schema";
import { requireUpstream } from "./lib/upstream";
import { find, release, run, stackInput, stackRawConfig, valueOf } from "./lib/helpers";
import { StackConfig, parseStackConfig } from "../components/core";
import { serviceMonitor, totalRequests, valueAt } from "../components/kit";
import { TracingConfig } from "../components/tracing";

const dev = () => parseStackConfig(stackRawConfig("dev"));
const prod = () => parseStackConfig(stackRawConfig("prod"));

function withTracing(cfg: StackConfig, tracing: Partial<TracingConfig>): StackConfig {
  return { ...cfg, tracing: { ...cfg.tracing, ...tracing } };
}

function jaegerValuesOf(cfg: StackConfig): Record<string, unknown> {
  return jaegerValues({ tracing: cfg.tracing, sizing: cfg.sizing, resources: cfg.resources });
}

type Pipelines = Record<string, { receivers: string[]; processors?: string[]; exporters: string[] }>;
interface CollectorConfigDoc {
  receivers: Record<string, unknown>;
  processors: Record<string, unknown>;
  exporters: Record<string, unknown>;
  extensions: Record<string, unknown>;
  service: { extensions: string[]; pipelines: Pipelines };
}

/**
 * Every component a pipeline names is defined in its section, and every service extension too.
 * `provided` are components a chart preset defines at render time.
 */
function undefinedComponents(doc: CollectorConfigDoc, provided: Record<string, string[]> = {}): string[] {
  const missing: string[] = [];
  const check = (section: "receivers" | "processors" | "exporters" | "extensions", names: string[]) => {
    for (const n of names) {
      if (!(n in doc[section]) && !(provided[section] ?? []).includes(n)) missing.push(`${section}.${n}`);
    }
  };
  check("extensions", doc.service.extensions);
  for (const p of Object.values(doc.service.pipelines)) {
    check("receivers", p.receivers);
    check("processors", p.processors ?? []);
    check("exporters", p.exporters);
  }
  return missing;
}

/** Through YAML and back, as Helm hands it to the process. */
function roundTrip(value: unknown): unknown {
  return parse(stringify(value));
}

describe("Jaeger values", () => {
  it("keep dev in memory, bounded, with no volume and no Elasticsearch jobs", () => {
    const v = jaegerValuesOf(dev());
    expect(valueAt(v, "userconfig.extensions.jaeger_storage.backends")).to.deep.equal({
      primary_store: { memory: { max_traces: 5000 } },
    });
    expect(v["jaeger"]).to.deep.include({
      replicas: 1,
      extraVolumes: [],
      extraVolumeMounts: [],
      extraEnv: [],
    });
    expect(v["esIndexCleaner"]).to.deep.equal({ enabled: false });
    expect(v["storage"]).to.equal(undefined);
  });

  it("put spans on the Badger claim, with the stack's retention as TTL", () => {
    const badger = withTracing(prod(), { storage: "badger", badger: { size: "50Gi" } });
    const v = jaegerValuesOf(badger);
    const jaeger = v["jaeger"] as Record<string, unknown>;
    expect(jaeger["extraVolumes"]).to.deep.equal([
      { name: "badger-data", persistentVolumeClaim: { claimName: "jaeger-badger" } },
    ]);
    expect(jaeger["extraVolumeMounts"]).to.deep.equal([{ name: "badger-data", mountPath: "/badger" }]);
    const backend = jaegerConfig({ tracing: badger.tracing, sizing: "production" }) as {
      extensions: { jaeger_storage: { backends: Record<string, unknown> } };
    };
    expect(backend.extensions.jaeger_storage.backends).to.deep.equal({
      primary_store: {
        badger: {
          directories: { keys: "/badger/keys", values: "/badger/values" },
          ephemeral: false,
          ttl: { spans: "168h" },
        },
      },
    });
    expect(jaeger["resources"]).to.deep.equal({
      requests: { cpu: "500m", memory: "1Gi" },
      limits: { memory: "2Gi" },
    });
  });

  it("write to Elasticsearch with the password from the Secret, and clean indices past the retention", () => {
    const cfg = withTracing(prod(), {
      storage: "elasticsearch",
      retention: "7d",
      elasticsearch: {
        cluster: "external",
        url: "https://search-es-http.search.svc:9200",
        username: "jaeger",
        indexPrefix: "observability",
      },
    });
    const v = jaegerValuesOf(cfg);
    const passwordEnv = [
      { name: "ES_PASSWORD", valueFrom: { secretKeyRef: { name: "jaeger-elasticsearch", key: "password" } } },
    ];
    expect((v["jaeger"] as Record<string, unknown>)["extraEnv"]).to.deep.equal(passwordEnv);
    const es = (
      jaegerConfig({ tracing: cfg.tracing, sizing: cfg.sizing }) as {
        extensions: {
          jaeger_storage: { backends: { primary_store: { elasticsearch: Record<string, unknown> } } };
        };
      }
    ).extensions.jaeger_storage.backends.primary_store.elasticsearch;
    expect(es["server_urls"]).to.deep.equal(["https://search-es-http.search.svc:9200"]);
    expect(es["auth"]).to.deep.equal({ basic: { username: "jaeger", password: "${env:ES_PASSWORD}" } });
    expect(es["max_span_age"]).to.equal("168h");
    expect((es["indices"] as Record<string, unknown>)["spans"]).to.deep.equal({
      date_layout: "2006-01-02",
      rollover_frequency: "day",
      shards: 1,
      replicas: 1,
    });
    expect(v["storage"]).to.deep.equal({
      type: "elasticsearch",
      elasticsearch: { url: "https://search-es-http.search.svc:9200", user: "jaeger" },
    });
    expect(v["esIndexCleaner"]).to.deep.include({ enabled: true, numberOfDays: 7, extraEnv: passwordEnv });
  });

  it("listen beyond localhost on the ports the chart's Service exposes, with metrics on 8888", () => {
    const c = roundTrip(jaegerConfig({ tracing: dev().tracing, sizing: "laptop" })) as CollectorConfigDoc & {
      service: { telemetry: unknown };
    };
    expect(undefinedComponents(c)).to.deep.equal([]);
    expect(c.service.pipelines).to.deep.equal({
      traces: { receivers: ["otlp"], processors: ["batch"], exporters: ["jaeger_storage_exporter"] },
    });
    expect(c.receivers).to.deep.equal({
      otlp: { protocols: { grpc: { endpoint: "0.0.0.0:4317" }, http: { endpoint: "0.0.0.0:4318" } } },
    });
    expect(c.extensions["jaeger_query"]).to.deep.include({
      http: { endpoint: "0.0.0.0:16686" },
      grpc: { endpoint: "0.0.0.0:16685" },
    });
    expect(c.service.telemetry).to.deep.include({
      metrics: {
        level: "detailed",
        readers: [{ pull: { exporter: { prometheus: { host: "0.0.0.0", port: JAEGER_PORTS.metrics } } } }],
      },
    });
  });
});

describe("the collector gateway", () => {
  const jaegerOtlp = "jaeger.tracing.svc:4317";

  it("has a traces pipeline whose every component is defined, and routes to Jaeger", () => {
    const c = roundTrip(
      collectorPipelineConfig({ collector: prod().tracing.collector, defaultEndpoint: jaegerOtlp }),
    ) as CollectorConfigDoc;
    // The chart's kubernetesAttributes preset defines the k8s_attributes processor.
    expect(undefinedComponents(c, { processors: [K8S_ATTRIBUTES_PROCESSOR] })).to.deep.equal([]);
    expect(undefinedComponents(c)).to.deep.equal(["processors.k8s_attributes"]);
    expect(c.service.pipelines).to.deep.equal({
      traces: {
        receivers: ["otlp"],
        processors: ["memory_limiter", "k8s_attributes", "probabilistic_sampler", "batch"],
        exporters: [BACKEND_EXPORTER],
      },
    });
    expect(c.processors["probabilistic_sampler"]).to.deep.equal({ sampling_percentage: 25 });
    expect(c.exporters).to.deep.equal({
      [BACKEND_EXPORTER]: { endpoint: jaegerOtlp, tls: { insecure: true } },
    });
    expect(c.extensions).to.deep.equal({ health_check: { endpoint: "${env:MY_POD_IP}:13133" } });
  });

  it("samples nothing away at 100% and exports to the configured endpoint when there is one", () => {
    const c = roundTrip(
      collectorPipelineConfig({
        collector: {
          enabled: true,
          replicas: 1,
          samplingPercent: 100,
          exporter: { endpoint: "tempo.tempo.svc:4317", insecure: false },
        },
        defaultEndpoint: jaegerOtlp,
      }),
    ) as CollectorConfigDoc;
    expect(c.service.pipelines["traces"]?.processors).to.deep.equal([
      "memory_limiter",
      "k8s_attributes",
      "batch",
    ]);
    expect(c.processors).to.not.have.property("probabilistic_sampler");
    expect(c.exporters).to.deep.equal({
      [BACKEND_EXPORTER]: { endpoint: "tempo.tempo.svc:4317", tls: { insecure: false } },
    });
  });

  it("sets the chart's required mode and image, the preset, and only the ports it serves", () => {
    const cfg = prod();
    const v = collectorValues({
      collector: cfg.tracing.collector,
      resources: cfg.resources,
      defaultEndpoint: jaegerOtlp,
    });
    expect(v).to.deep.include({
      mode: "deployment",
      image: { repository: COLLECTOR_IMAGE },
      fullnameOverride: "otel-gateway",
      replicaCount: 2,
      presets: { kubernetesAttributes: { enabled: true } },
      podDisruptionBudget: { enabled: true, minAvailable: 1 },
    });
    expect(v["ports"]).to.deep.equal({
      "jaeger-compact": { enabled: false },
      "jaeger-thrift": { enabled: false },
      "jaeger-grpc": { enabled: false },
      zipkin: { enabled: false },
      metrics: { enabled: true },
    });
  });
});

describe("the OTLP Service", () => {
  it("exposes gRPC and HTTP OTLP for whatever pods receive", () => {
    const spec = otlpServiceSpec({ namespace: "tracing", selector: JAEGER_SELECTOR });
    expect(spec.metadata.name).to.equal("otlp");
    expect(spec.spec.ports.map((p) => [p.name, p.port, p.targetPort, p.appProtocol])).to.deep.equal([
      ["otlp-grpc", 4317, 4317, "grpc"],
      ["otlp-http", 4318, 4318, "http"],
    ]);
  });
});

describe("Grafana datasources for traces", () => {
  const url = "http://jaeger.tracing.svc:16686";

  it("link spans to their logs in Loki and to their pod's metrics in Prometheus", () => {
    const ds = jaegerDatasource({ url, lokiEnabled: true });
    expect(ds).to.deep.include({ uid: JAEGER_DATASOURCE_UID, type: "jaeger", url });
    expect(ds.jsonData?.["tracesToLogsV2"]).to.deep.equal({
      datasourceUid: LOKI_DATASOURCE_UID,
      spanStartTimeShift: "-5m",
      spanEndTimeShift: "5m",
      tags: [
        { key: "service.name", value: "app" },
        { key: "k8s.namespace.name", value: "namespace" },
        { key: "k8s.pod.name", value: "pod" },
      ],
      filterByTraceID: true,
      filterBySpanID: false,
      customQuery: false,
    });
    const metrics = ds.jsonData?.["tracesToMetrics"] as {
      datasourceUid: string;
      queries: { query: string }[];
    };
    expect(metrics.datasourceUid).to.equal(PROMETHEUS_DATASOURCE_UID);
    expect(metrics.queries.map((q) => q.query)).to.deep.equal([
      'sum(rate(container_cpu_usage_seconds_total{container!="",$$__tags}[5m]))',
      'sum(container_memory_working_set_bytes{container!="",$$__tags})',
    ]);
  });

  it("link to nothing in Loki when there is no Loki", () => {
    const ds = jaegerDatasource({ url, lokiEnabled: false });
    expect(ds.jsonData).to.not.have.property("tracesToLogsV2");
    expect(ds.jsonData).to.have.property("tracesToMetrics");
  });

  it("give Loki a derived field that opens the trace in the Jaeger datasource, escaped for provisioning", () => {
    const fields = lokiTraceDerivedFields();
    expect(fields).to.deep.equal([
      {
        name: "TraceID",
        matcherType: "regex",
        matcherRegex: TRACE_ID_PATTERN,
        url: "$${__value.raw}",
        datasourceUid: JAEGER_DATASOURCE_UID,
        urlDisplayLabel: "Open trace",
      },
    ]);
    const file = datasourceProvisioning([
      {
        name: "Loki",
        type: "loki",
        uid: LOKI_DATASOURCE_UID,
        url: "http://loki",
        jsonData: { derivedFields: fields },
      },
    ]);
    // Grafana expands $VAR in provisioning files: the doubled $ leaves the macro for the link.
    expect(file).to.include("url: $${__value.raw}");
  });

  it("find the trace id in the log formats applications write", () => {
    const id = "4bf92f3577b34da6a3ce929d0e0e4736";
    const re = new RegExp(TRACE_ID_PATTERN);
    for (const line of [
      `level=info msg="paid" trace_id=${id} span_id=00f067aa0ba902b7`,
      `{"level":"info","traceId":"${id}","spanId":"00f067aa0ba902b7"}`,
      `{"trace_id": "${id}"}`,
      `INFO [traceID: ${id}] order 42 shipped`,
      `TraceId=${id.toUpperCase()}`,
    ]) {
      expect(re.exec(line)?.[1]?.toLowerCase(), line).to.equal(id);
    }
    for (const line of ["span_id=00f067aa0ba902b7", "trace_id=00f067aa0ba902b7 (a span id)", "no ids here"]) {
      expect(re.exec(line), line).to.equal(null);
    }
  });
});

describe("tracing in the program", () => {
  let devRun: ProgramRun;
  let prodRun: ProgramRun;

  before(async () => {
    devRun = await run(stackInput("dev"));
    prodRun = await run(stackInput("prod"));
  });

  it("routes the otlp Service to Jaeger in dev and to the gateway in prod, after they are ready", () => {
    const d = find(devRun.resources, "kubernetes:core/v1:Service", "observability-tracing-otlp");
    expect((d.inputs["spec"] as { selector: unknown }).selector).to.deep.equal(JAEGER_SELECTOR);
    expect(d.dependsOn).to.deep.equal(["ns-tracing", "jaeger"]);
    const p = find(prodRun.resources, "kubernetes:core/v1:Service", "observability-tracing-otlp");
    expect((p.inputs["spec"] as { selector: unknown }).selector).to.deep.equal(COLLECTOR_SELECTOR);
    expect(p.dependsOn).to.deep.equal(["ns-tracing", "otel-gateway"]);
    expect(release(prodRun.resources, "otel-gateway").dependsOn).to.deep.equal(["ns-tracing", "jaeger"]);
  });

  it("names the OTLP endpoint in the outputs, the same whichever component receives", () => {
    const d = devRun.outputs["tracing"] as { otlp: Record<string, unknown>; jaeger: Record<string, unknown> };
    const p = prodRun.outputs["tracing"] as { otlp: Record<string, unknown> };
    expect(d.otlp).to.deep.equal({
      service: "otlp",
      grpc: "otlp.tracing.svc:4317",
      http: "http://otlp.tracing.svc:4318",
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://otlp.tracing.svc:4318",
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
      },
      receivedBy: "jaeger",
    });
    expect({ ...p.otlp, receivedBy: "jaeger" }).to.deep.equal(d.otlp);
    expect(p.otlp["receivedBy"]).to.equal("otel-gateway");
    expect(d.jaeger).to.deep.equal({
      service: "jaeger",
      storage: "memory",
      ui: "http://localhost:16686",
      portForward: "kubectl -n tracing port-forward svc/jaeger 16686:16686",
    });
  });

  it("provisions the Jaeger datasource in Grafana's namespace with the sidecar label", () => {
    const cm = find(prodRun.resources, "kubernetes:core/v1:ConfigMap", "grafana-datasources");
    const metadata = cm.inputs["metadata"] as { namespace: string; labels: Record<string, string> };
    expect(metadata.namespace).to.equal("monitoring");
    expect(metadata.labels["grafana_datasource"]).to.equal("1");
    expect(cm.dependsOn).to.include("jaeger");
    const file = parse((cm.inputs["data"] as Record<string, string>)["grafana-datasources.yaml"] ?? "") as {
      datasources: { type: string; uid: string; url: string; jsonData: Record<string, unknown> }[];
    };
    const jaeger = file.datasources.filter((d) => d.type === "jaeger");
    expect(jaeger.map((d) => [d.uid, d.url])).to.deep.equal([["jaeger", "http://jaeger.tracing.svc:16686"]]);
    // Loki runs in prod too: spans link to their logs.
    expect(jaeger[0]?.jsonData["tracesToLogsV2"]).to.deep.include({ datasourceUid: "loki" });
  });

  it("makes Prometheus scrape Jaeger and the gateway, after the CRDs exist, with monitors valid against the CRD", function () {
    const monitors = prodRun.resources.filter(
      (r) => r.type === "kubernetes:monitoring.coreos.com/v1:ServiceMonitor" && r.name.includes("tracing"),
    );
    expect(monitors.map((m) => [m.name, m.dependsOn])).to.deep.equal([
      ["observability-tracing-jaeger-servicemonitor", ["ns-tracing", "prometheus-operator-crds"]],
      ["observability-tracing-collector-servicemonitor", ["ns-tracing", "prometheus-operator-crds"]],
    ]);
    expect(
      monitors.map((m) => (m.inputs["spec"] as { endpoints: { port: string }[] }).endpoints[0]?.port),
    ).to.deep.equal(["internal-metrics", "metrics"]);
    requireUpstream(this, "crds");
    for (const m of monitors) expect(validateCustomResource(m.inputs), m.name).to.deep.equal([]);
    expect(
      validateCustomResource(
        serviceMonitor({
          name: "jaeger",
          namespace: "tracing",
          selector: JAEGER_SELECTOR,
          port: "internal-metrics",
        }),
      ),
    ).to.deep.equal([]);
  });

  it("declares no monitors and no datasource without Prometheus, and nothing of Jaeger without it", async () => {
    const r = await run(
      stackInput("dev", {
        prometheus: { enabled: false },
        grafana: { enabled: false },
        tracing: {
          jaeger: { enabled: false },
          collector: { enabled: true, exporter: { endpoint: "tempo.tempo.svc:4317" } },
        },
      }),
    );
    expect(
      r.resources.filter((x) => x.type.includes("ServiceMonitor") || x.type.includes("ConfigMap")),
    ).to.deep.equal([]);
    expect(
      r.resources.filter((x) => x.type === "kubernetes:helm.sh/v3:Release").map((x) => x.name),
    ).to.deep.equal([
      "istio-base",
      "istiod",
      "istio-ingressgateway",
      "cert-manager",
      "metrics-server",
      "loki",
      "alloy",
      "otel-gateway",
    ]);
    const exporter = valueOf(
      release(r.resources, "otel-gateway"),
      `alternateConfig.exporters.${BACKEND_EXPORTER}`,
    );
    expect(exporter).to.deep.equal({ endpoint: "tempo.tempo.svc:4317", tls: { insecure: true } });
  });

  it("keeps the Elasticsearch password in a Secret only", async () => {
    const password = "Tr4ces-Are-Forever";
    const r = await run(
      stackInput(
        "prod",
        {
          tracing: {
            storage: "elasticsearch",
            elasticsearch: { url: "http://search-es-http.search.svc:9200" },
          },
        },
        { tracingElasticsearchPassword: password },
      ),
    );
    const secret = find(
      r.resources,
      "kubernetes:core/v1:Secret",
      "observability-tracing-jaeger-elasticsearch",
    );
    expect(secret.inputs["stringData"]).to.equal("[secret]");
    expect(release(r.resources, "jaeger").dependsOn).to.deep.equal([
      "ns-tracing",
      "observability-tracing-jaeger-elasticsearch",
    ]);
    expect(JSON.stringify(r)).not.to.include(password);
  });

  it("verifies an external cluster with the configured CA bundle, mounted from a Secret the release waits for", async () => {
    const bundle = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2E=\n-----END CERTIFICATE-----\n";
    // Secrets revealed: the provider marks a Secret's stringData secret, CA or not.
    const r = await runProgram({
      ...stackInput(
        "prod",
        {
          tracing: {
            storage: "elasticsearch",
            elasticsearch: { url: "https://search.example.com:9200", caBundle: bundle },
          },
        },
        { tracingElasticsearchPassword: "not-checked-here" },
      ),
      revealSecrets: true,
    });
    const ca = find(
      r.resources,
      "kubernetes:core/v1:Secret",
      "observability-tracing-jaeger-elasticsearch-ca",
    );
    expect(ca.inputs["metadata"]).to.deep.include({ name: "jaeger-elasticsearch-ca", namespace: "tracing" });
    expect(ca.inputs["stringData"]).to.deep.equal({ "ca.crt": bundle });
    const jaeger = release(r.resources, "jaeger");
    expect(jaeger.dependsOn).to.include("observability-tracing-jaeger-elasticsearch-ca");
    const es = valueOf(jaeger, "userconfig.extensions.jaeger_storage.backends.primary_store.elasticsearch");
    expect((es as Record<string, unknown>)["tls"]).to.deep.equal({ ca_file: "/es-ca/ca.crt" });
    expect(valueOf(jaeger, "jaeger.extraVolumes")).to.deep.include({
      name: "es-ca",
      secret: { secretName: "jaeger-elasticsearch-ca" },
    });
    expect(valueOf(jaeger, "esIndexCleaner.cmdlineParams")).to.deep.include({
      "es.tls.enabled": "true",
      "es.tls.ca": "/es-ca/ca.crt",
    });

    // Without a bundle, an external https:// cluster is verified with the system's roots: no CA Secret.
    const plain = await run(
      stackInput(
        "prod",
        { tracing: { storage: "elasticsearch", elasticsearch: { url: "https://search.example.com:9200" } } },
        { tracingElasticsearchPassword: "not-checked-here" },
      ),
    );
    expect(plain.resources.map((x) => x.name)).to.not.include(
      "observability-tracing-jaeger-elasticsearch-ca",
    );
    const plainEs = valueOf(
      release(plain.resources, "jaeger"),
      "userconfig.extensions.jaeger_storage.backends.primary_store.elasticsearch",
    );
    expect(plainEs).to.not.have.property("tls");
  });

  it("stays within tracing's dev budget of 150m CPU and 300Mi, even with the gateway on", async () => {
    const withGateway = await run(stackInput("dev", { tracing: { collector: { enabled: true } } }));
    for (const [r, releases] of [
      [devRun, ["jaeger"]],
      [withGateway, ["jaeger", "otel-gateway"]],
    ] as const) {
      const usage = planContainers({ stack: "dev", resources: r.resources, outputs: {} }).filter((u) =>
        ["jaeger", "otel-gateway"].includes(u.release),
      );
      expect(usage.map((u) => u.release)).to.deep.equal(releases);
      const total = totalRequests(usage);
      expect(total.cpu).to.be.at.most(0.15);
      expect(total.memory).to.be.at.most(300 * 2 ** 20);
    }
  });
});
