import { expect } from "chai";
import { stackModel } from "../components/core";
import { parseStackConfig, StackConfig } from "../components/core";
import { GrafanaDatasource } from "../components/grafana";
import { CA_COPY_SCRIPT, caCopyJobManifest, caCopyRules, jaegerRole } from "../components/search";
import { jaegerConfig, jaegerValues } from "../components/tracing";
import { ProgramRun } from "../tools/lib/run-program";
import { validateCustomResource } from "./lib/crd-schema";
import { find, release, run, stackInput, stackRawConfig, valueOf } from "./lib/helpers";
import { requireUpstream } from "./lib/upstream";
import { valueAt as at } from "../components/kit";

const STACKS = ["dev", "prod", "large"] as const;
const SECRET = "kubernetes:core/v1:Secret";
const JOB = "kubernetes:batch/v1:Job";

/** The release that installs the CRD of a custom resource's API group. */
function crdRelease(type: string): string | undefined {
  const group = /^kubernetes:([^/]+)\//.exec(type)?.[1] ?? "";
  if (group === "monitoring.coreos.com") return "prometheus-operator-crds";
  if (group.endsWith(".istio.io")) return "istio-base";
  if (group.endsWith(".k8s.elastic.co")) return "eck-operator";
  return undefined;
}

describe("every stack under mocks", () => {
  const runs = new Map<string, ProgramRun>();

  before(async () => {
    for (const stack of STACKS) runs.set(stack, await run(stackInput(stack)));
  });
  const of = (stack: string): ProgramRun => {
    const r = runs.get(stack);
    if (r === undefined) throw new Error(`no run of ${stack}`);
    return r;
  };

  for (const stack of STACKS) {
    it(`${stack}: declares every custom resource after the release that installs its CRD`, () => {
      const custom = of(stack).resources.filter((r) => crdRelease(r.type) !== undefined);
      expect(custom.length, "custom resources").to.be.greaterThan(3);
      const late = custom
        .filter((r) => !r.dependsOn.includes(crdRelease(r.type) ?? ""))
        .map((r) => `${r.type} ${r.name}`);
      expect(late).to.deep.equal([]);
    });

    it(`${stack}: sends every custom resource past the upstream CRD schemas`, function () {
      requireUpstream(this, "crds");
      for (const r of of(stack).resources.filter((x) => crdRelease(x.type) !== undefined)) {
        expect(validateCustomResource(r.inputs), `${r.type} ${r.name}`).to.deep.equal([]);
      }
    });
  }

  it("large: Loki in Distributed mode, Thanos on, Jaeger on the stack's Elasticsearch", () => {
    const large = of("large");
    expect(valueOf(release(large.resources, "loki"), "deploymentMode")).to.equal("Distributed");
    expect(valueOf(release(large.resources, "loki"), "ingester.replicas")).to.equal(3);
    expect(release(large.resources, "thanos").inputs["namespace"]).to.equal("monitoring");
    expect(release(large.resources, "jaeger").dependsOn).to.deep.equal([
      "ns-tracing",
      "observability-tracing-jaeger-elasticsearch",
      "observability-elastic-elasticsearch",
      "observability-elastic-jaeger-ca-copy",
    ]);
  });

  it("every stack: the chart's Prometheus datasource links exemplars to the Jaeger datasource", () => {
    for (const stack of STACKS) {
      expect(
        valueOf(
          release(of(stack).resources, "kube-prometheus-stack"),
          "grafana.sidecar.datasources.exemplarTraceIdDestinations",
        ),
        stack,
      ).to.deep.equal({
        datasourceUid: "jaeger",
        traceIdLabelName: "trace_id",
        urlDisplayLabel: "Open trace",
      });
    }
  });

  it("prod and large: Jaeger's password is the generated one of its own user, in Secrets only", () => {
    for (const stack of ["prod", "large"]) {
      const r = of(stack);
      const jaegerSecret = find(r.resources, SECRET, "observability-tracing-jaeger-elasticsearch");
      expect(jaegerSecret.inputs["stringData"], stack).to.equal("[secret]");
      const user = find(r.resources, SECRET, "observability-elastic-jaeger-user");
      expect(user.inputs["stringData"], stack).to.equal("[secret]");
      expect(user.inputs["type"], stack).to.equal("kubernetes.io/basic-auth");
      expect(
        at(
          find(
            r.resources,
            "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch",
            "observability-elastic-elasticsearch",
          ).inputs,
          "spec.auth",
        ),
        stack,
      ).to.deep.equal({
        fileRealm: [
          { secretName: "grafana-elasticsearch-user" },
          { secretName: "jaeger-elasticsearch-user" },
        ],
        roles: [{ secretName: "elasticsearch-roles" }],
      });
      // Both roles in one roles.yml Secret, loaded with the file realm before the cluster starts.
      expect(find(r.resources, SECRET, "observability-elastic-roles").dependsOn, stack).to.deep.equal([
        "ns-search",
      ]);
    }
  });

  it("prod and large: copy ECK's CA into tracing before Jaeger starts, and again every night", () => {
    for (const stack of ["prod", "large"]) {
      const r = of(stack);
      const job = find(r.resources, JOB, "observability-elastic-jaeger-ca-copy");
      expect(at(job.inputs, "metadata.namespace"), stack).to.equal("search");
      expect(at(job.inputs, "spec.template.spec.volumes.0"), stack).to.deep.equal({
        name: "ca",
        secret: { secretName: "elasticsearch-es-http-certs-public" },
      });
      const env = at(job.inputs, "spec.template.spec.containers.0.env") as { name: string; value: string }[];
      expect(env.slice(0, 3), stack).to.deep.equal([
        { name: "TARGET_NAMESPACE", value: "tracing" },
        { name: "TARGET_SECRET", value: "jaeger-elasticsearch-ca" },
        { name: "TARGET_KEY", value: "ca.crt" },
      ]);
      const cron = find(
        r.resources,
        "kubernetes:batch/v1:CronJob",
        "observability-elastic-jaeger-ca-copy-nightly",
      );
      expect(at(cron.inputs, "spec.jobTemplate.spec.template.spec"), stack).to.deep.equal(
        at(job.inputs, "spec.template.spec"),
      );
      const role = find(
        r.resources,
        "kubernetes:rbac.authorization.k8s.io/v1:Role",
        "observability-elastic-jaeger-ca-copy-role",
      );
      expect(at(role.inputs, "metadata.namespace"), stack).to.equal("tracing");
    }
  });
});

describe("Jaeger on the stack's Elasticsearch", () => {
  const prod = parseStackConfig(stackRawConfig("prod"));
  const stackEs = { url: "https://elasticsearch-es-http.search.svc:9200", replicas: 1 };
  const v = jaegerValues({
    tracing: prod.tracing,
    sizing: prod.sizing,
    resources: prod.resources,
    stackElasticsearch: stackEs,
  });
  const backend = at(
    jaegerConfig({ tracing: prod.tracing, sizing: prod.sizing, stackElasticsearch: stackEs }),
    "extensions.jaeger_storage.backends.primary_store.elasticsearch",
  ) as Record<string, unknown>;

  it("writes as its own user under its own index prefix, a new index a day, verified with ECK's CA", () => {
    expect(backend["server_urls"]).to.deep.equal(["https://elasticsearch-es-http.search.svc:9200"]);
    expect(backend["auth"]).to.deep.equal({ basic: { username: "jaeger", password: "${env:ES_PASSWORD}" } });
    expect(backend["tls"]).to.deep.equal({ ca_file: "/es-ca/ca.crt" });
    expect(JSON.stringify(backend)).not.to.include("insecure");
    expect(at(backend, "indices.index_prefix")).to.equal("observability");
    expect(at(backend, "indices.spans")).to.deep.equal({
      date_layout: "2006-01-02",
      rollover_frequency: "day",
      shards: 1,
      replicas: 1,
    });
    expect(backend["max_span_age"]).to.equal("168h");
    expect(at(v, "jaeger.extraVolumes")).to.deep.equal([
      { name: "es-ca", secret: { secretName: "jaeger-elasticsearch-ca" } },
    ]);
    expect(at(v, "jaeger.extraVolumeMounts")).to.deep.equal([
      { name: "es-ca", mountPath: "/es-ca", readOnly: true },
    ]);
  });

  it("deletes only its own indices past the retention, over the same verified TLS", () => {
    expect(at(v, "esIndexCleaner")).to.deep.include({
      enabled: true,
      numberOfDays: 7,
      cmdlineParams: {
        "index-prefix": "observability",
        "es.tls.enabled": "true",
        "es.tls.ca": "/es-ca/ca.crt",
      },
      extraSecretMounts: [
        {
          name: "es-ca",
          mountPath: "/es-ca",
          subPath: "",
          readOnly: true,
          secretName: "jaeger-elasticsearch-ca",
        },
      ],
    });
    expect(at(v, "storage")).to.deep.equal({
      type: "elasticsearch",
      elasticsearch: { url: "https://elasticsearch-es-http.search.svc:9200", user: "jaeger" },
    });
  });

  it("gets only the privileges it needs, on its own indices", () => {
    expect(jaegerRole("observability")).to.deep.equal({
      cluster: ["monitor", "manage_index_templates"],
      indices: [
        {
          names: ["observability-jaeger-*"],
          privileges: ["create_index", "write", "read", "view_index_metadata", "monitor", "delete_index"],
        },
      ],
    });
  });

  it("copies the CA with a create on Secrets and a replace of its one copy, nothing more", () => {
    expect(caCopyRules("jaeger-elasticsearch-ca")).to.deep.equal([
      { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
      {
        apiGroups: [""],
        resources: ["secrets"],
        resourceNames: ["jaeger-elasticsearch-ca"],
        verbs: ["get", "update", "patch"],
      },
    ]);
    expect(CA_COPY_SCRIPT).to.include('--request PUT "$url/$TARGET_SECRET"');
    expect(CA_COPY_SCRIPT).to.include('--request POST "$url"');
    expect(CA_COPY_SCRIPT).to.include("base64 -w0 < /etc/elasticsearch-ca/ca.crt");
    const job = caCopyJobManifest({
      namespace: "search",
      target: { reader: "jaeger", namespace: "tracing", secret: "jaeger-elasticsearch-ca", key: "ca.crt" },
      version: "9.5.0",
      resources: prod.resources,
    });
    expect((job.metadata as { name: string }).name).to.match(/^jaeger-ca-copy-[0-9a-f]{10}$/);
  });

  it("is refused without the stack's cluster to write to", () => {
    expect(() =>
      jaegerValues({ tracing: prod.tracing, sizing: prod.sizing, resources: prod.resources }),
    ).to.throw("tracing.elasticsearch on the stack's cluster needs the cluster's URL (elastic.enabled)");
  });
});

describe("Grafana's datasources in every stack", () => {
  const byUid = (config: StackConfig): Map<string, GrafanaDatasource> => {
    const { all } = stackModel(config).datasources;
    return new Map(all.map((d) => [d.uid, d]));
  };

  for (const stack of STACKS) {
    it(`${stack}: link logs to traces, traces to logs and metrics, and metrics to traces`, () => {
      const ds = byUid(parseStackConfig(stackRawConfig(stack)));
      expect([...ds.keys()].sort(), stack).to.include.members(["jaeger", "loki", "prometheus"]);
      // Logs -> traces: a trace id in a log line opens the trace.
      expect(at(ds.get("loki")?.jsonData, "derivedFields.0.datasourceUid")).to.equal("jaeger");
      // Traces -> logs and traces -> metrics.
      expect(at(ds.get("jaeger")?.jsonData, "tracesToLogsV2.datasourceUid")).to.equal("loki");
      expect(at(ds.get("jaeger")?.jsonData, "tracesToMetrics.datasourceUid")).to.equal("prometheus");
      // Metrics -> traces: an exemplar's trace id opens the trace.
      expect(at(ds.get("prometheus")?.jsonData, "exemplarTraceIdDestinations.0.datasourceUid")).to.equal(
        "jaeger",
      );
    });
  }

  it("read the query-frontend under the same uid when Thanos is on", () => {
    expect(byUid(parseStackConfig(stackRawConfig("large"))).get("prometheus")?.url).to.equal(
      "http://thanos-query-frontend.monitoring:9090/",
    );
    expect(byUid(parseStackConfig(stackRawConfig("prod"))).get("prometheus")?.url).to.equal(
      "http://kube-prometheus-stack-prometheus.monitoring:9090/",
    );
  });

  it("drop the metrics-to-traces link when there is no Jaeger", () => {
    const noTraces = parseStackConfig({ ...stackRawConfig("dev"), tracing: { enabled: false } });
    expect(byUid(noTraces).get("prometheus")?.jsonData).to.deep.equal({});
  });
});
