import { expect } from "chai";
import { parse } from "yaml";
import { LOKI_DATASOURCE_UID, lokiServiceMonitor } from "../components/logging";
import { validateCustomResource } from "./lib/crd-schema";
import { requireUpstream } from "./lib/upstream";
import { lokiTraceDerivedFields } from "../components/tracing";
import { renderJson } from "../tools/lib/plan";
import { ProgramRun } from "../tools/lib/run-program";
import { find, HELM_RELEASE, plan, release, releases, run, stackInput, valueOf } from "./lib/helpers";
import { valueAt } from "../components/kit";

const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
const SECRET = "kubernetes:core/v1:Secret";
const NAMESPACE = "kubernetes:core/v1:Namespace";

/** The datasources a provisioning ConfigMap carries. */
/** The Loki entries of the one datasources ConfigMap Grafana provisions. */
function datasources(r: ProgramRun): Record<string, unknown>[] {
  const cm = find(r.resources, CONFIG_MAP, "grafana-datasources");
  const data = cm.inputs["data"] as Record<string, string>;
  return (
    parse(data["grafana-datasources.yaml"] ?? "") as { datasources: Record<string, unknown>[] }
  ).datasources.filter((d) => d["type"] === "loki");
}

describe("logs under mocks", () => {
  let dev: ProgramRun;
  let prod: ProgramRun;

  before(async () => {
    dev = await run(stackInput("dev"));
    prod = await run(stackInput("prod"));
  });

  it("installs Loki into namespace logging after the namespace, and Alloy after Loki", () => {
    for (const r of [dev, prod]) {
      expect(release(r.resources, "loki").dependsOn).to.deep.equal(["ns-logging"]);
      expect(release(r.resources, "alloy").dependsOn).to.deep.equal(["ns-logging", "loki"]);
      expect(release(r.resources, "loki").inputs["namespace"]).to.equal("logging");
      expect(release(r.resources, "alloy").inputs["namespace"]).to.equal("logging");
    }
  });

  it("makes namespace logging baseline: neither Loki nor Alloy needs host access", () => {
    const ns = find(dev.resources, NAMESPACE, "ns-logging");
    expect(ns.inputs["metadata"]).to.deep.equal({
      name: "logging",
      labels: {
        "app.kubernetes.io/part-of": "observability-stack",
        "app.kubernetes.io/managed-by": "pulumi",
        "observability-stack/domain": "logging",
        "pod-security.kubernetes.io/enforce": "baseline",
        "pod-security.kubernetes.io/warn": "baseline",
      },
    });
  });

  it("differs between dev and prod in mode, storage, tenancy and retention", () => {
    const d = release(dev.resources, "loki");
    const p = release(prod.resources, "loki");
    expect(valueOf(d, "deploymentMode")).to.equal("Monolithic");
    expect(valueOf(p, "deploymentMode")).to.equal("SimpleScalable");
    expect(valueOf(d, "loki.storage.type")).to.equal("filesystem");
    expect(valueOf(p, "loki.storage.type")).to.equal("s3");
    expect(valueOf(d, "loki.auth_enabled")).to.equal(false);
    expect(valueOf(p, "loki.auth_enabled")).to.equal(true);
    expect(valueOf(d, "loki.limits_config.retention_period")).to.equal("7d");
    expect(valueOf(p, "loki.limits_config.retention_period")).to.equal("30d");
  });

  it("pushes to the gateway, with the tenant in prod", () => {
    const devConfig = String(valueOf(release(dev.resources, "alloy"), "alloy.configMap.content"));
    const prodConfig = String(valueOf(release(prod.resources, "alloy"), "alloy.configMap.content"));
    expect(devConfig).to.include('url = "http://loki-gateway.logging.svc/loki/api/v1/push"');
    expect(devConfig).not.to.include("tenant_id");
    expect(prodConfig).to.include('tenant_id = "platform"');
  });

  it("gives Grafana a Loki datasource ConfigMap in monitoring, with the sidecar label and uid loki", () => {
    expect(LOKI_DATASOURCE_UID).to.equal("loki");
    const cm = find(dev.resources, CONFIG_MAP, "grafana-datasources");
    expect(cm.parent).to.equal("observability-grafana");
    // After the releases behind it, so Grafana never lists a datasource with nothing behind it.
    expect(cm.dependsOn).to.deep.equal(["ns-monitoring", "loki", "jaeger"]);
    expect(cm.inputs["metadata"]).to.deep.equal({
      name: "grafana-datasources",
      namespace: "monitoring",
      labels: {
        "app.kubernetes.io/part-of": "observability-stack",
        "app.kubernetes.io/managed-by": "pulumi",
        grafana_datasource: "1",
      },
    });
    expect(datasources(dev)).to.deep.equal([
      {
        name: "Loki",
        type: "loki",
        uid: "loki",
        access: "proxy",
        url: "http://loki-gateway.logging.svc",
        isDefault: false,
        editable: false,
        // Jaeger runs too: a trace id in a log line links to the trace.
        jsonData: { maxLines: 1000, derivedFields: lokiTraceDerivedFields() },
      },
    ]);
    const [prodDs] = datasources(prod);
    expect(prodDs?.["jsonData"]).to.deep.equal({
      maxLines: 1000,
      httpHeaderName1: "X-Scope-OrgID",
      derivedFields: lokiTraceDerivedFields(),
    });
    expect(prodDs?.["secureJsonData"]).to.deep.equal({ httpHeaderValue1: "platform" });
  });

  it("links log lines to traces only when the Jaeger datasource exists", async () => {
    const noTracing = await run(stackInput("dev", { tracing: { enabled: false } }));
    expect(datasources(noTracing)[0]?.["jsonData"]).to.deep.equal({ maxLines: 1000 });
  });

  it("makes Prometheus scrape Loki and Alloy after the CRDs exist, with monitors valid against the CRD", function () {
    const monitors = dev.resources.filter(
      (x) => x.type === "kubernetes:monitoring.coreos.com/v1:ServiceMonitor" && /loki|alloy/.test(x.name),
    );
    expect(monitors.map((m) => [m.name, m.parent, m.dependsOn])).to.deep.equal([
      ["observability-loki-servicemonitor", "observability-loki", ["ns-logging", "prometheus-operator-crds"]],
      [
        "observability-alloy-servicemonitor",
        "observability-alloy",
        ["ns-logging", "prometheus-operator-crds"],
      ],
    ]);
    // Loki's headless twins and its nginx gateway serve no metrics of their own: not scraped.
    expect(
      (lokiServiceMonitor("logging").spec["selector"] as { matchExpressions: unknown }).matchExpressions,
    ).to.deep.equal([
      { key: "prometheus.io/service-monitor", operator: "NotIn", values: ["false"] },
      { key: "app.kubernetes.io/component", operator: "NotIn", values: ["gateway"] },
    ]);
    requireUpstream(this, "crds");
    for (const m of monitors) expect(validateCustomResource(m.inputs), m.name).to.deep.equal([]);
  });

  it("declares no log monitors without Prometheus, and none for Promtail", async () => {
    const noPrometheus = await run(
      stackInput("dev", { prometheus: { enabled: false }, grafana: { enabled: false } }),
    );
    const promtail = await run(stackInput("dev", { logCollector: { kind: "promtail" } }));
    const names = (r: ProgramRun) =>
      r.resources
        .filter((x) => x.type.endsWith(":ServiceMonitor") && /loki|alloy|promtail/.test(x.name))
        .map((x) => x.name);
    expect(names(noPrometheus)).to.deep.equal([]);
    expect(names(promtail)).to.deep.equal(["observability-loki-servicemonitor"]);
  });

  it("exports the gateway, the push URL, the datasource uid and the tenant", () => {
    expect(dev.outputs["loki"]).to.deep.equal({
      namespace: "logging",
      service: "loki-gateway",
      url: "http://loki-gateway.logging.svc",
      pushUrl: "http://loki-gateway.logging.svc/loki/api/v1/push",
      portForward: "kubectl -n logging port-forward svc/loki-gateway 3100:80",
      datasourceUid: "loki",
    });
    expect((prod.outputs["loki"] as Record<string, unknown>)["tenant"]).to.equal("platform");
    expect(dev.outputs["logCollector"]).to.deep.equal({ kind: "alloy", release: "alloy" });
  });

  it("keeps the URNs stacks got before the collectors shared one component type (ae3f030)", async () => {
    const promtail = await run(stackInput("dev", { logCollector: { kind: "promtail" } }));
    const collector = (r: ProgramRun, name: string) =>
      find(r.resources, "observability:logging:LogCollector", name);
    expect(collector(dev, "observability-alloy").aliases).to.deep.equal([
      { type: "observability:logging:Alloy" },
    ]);
    expect(collector(promtail, "observability-promtail").aliases).to.deep.equal([
      { type: "observability:logging:Promtail" },
    ]);
  });

  it("switches the collector to Promtail, which makes namespace logging privileged", async () => {
    const r = await run(stackInput("dev", { logCollector: { kind: "promtail" } }));
    expect(releases(r.resources).map((x) => x.name)).to.deep.equal([
      "istio-base",
      "istiod",
      "istio-ingressgateway",
      "cert-manager",
      "prometheus-operator-crds",
      "kube-prometheus-stack",
      "metrics-server",
      "loki",
      "promtail",
      "jaeger",
    ]);
    const promtail = release(r.resources, "promtail");
    expect(promtail.parent).to.equal("observability-promtail");
    expect(promtail.dependsOn).to.deep.equal(["ns-logging", "loki"]);
    expect(promtail.inputs).to.include({ chart: "promtail", version: "6.17.1", namespace: "logging" });
    expect(valueOf(promtail, "config.clients")).to.deep.equal([
      { url: "http://loki-gateway.logging.svc/loki/api/v1/push" },
    ]);
    const labels = (find(r.resources, NAMESPACE, "ns-logging").inputs["metadata"] as { labels: object })
      .labels;
    expect(labels).to.include({ "pod-security.kubernetes.io/enforce": "privileged" });
    expect(r.outputs["logCollector"]).to.deep.equal({ kind: "promtail", release: "promtail" });
  });

  it("runs no collector when it is switched off, and Loki alone", async () => {
    const r = await run(stackInput("dev", { logCollector: { enabled: false } }));
    expect(releases(r.resources).map((x) => x.name)).to.deep.equal([
      "istio-base",
      "istiod",
      "istio-ingressgateway",
      "cert-manager",
      "prometheus-operator-crds",
      "kube-prometheus-stack",
      "metrics-server",
      "loki",
      "jaeger",
    ]);
    expect(r.outputs["logCollector"]).to.equal(null);
  });

  it("declares no datasource without Grafana, and no logging part without Loki", async () => {
    const noGrafana = await run(stackInput("dev", { grafana: { enabled: false } }));
    expect(noGrafana.resources.filter((x) => x.type === CONFIG_MAP)).to.deep.equal([]);
    expect(noGrafana.outputs["loki"]).to.not.have.property("datasourceUid");
    const noLoki = await run(stackInput("dev", { loki: { enabled: false } }));
    expect(noLoki.resources.filter((x) => x.name.includes("loki") || x.name.includes("alloy"))).to.deep.equal(
      [],
    );
    expect(noLoki.resources.filter((x) => x.type === NAMESPACE).map((x) => x.name)).to.deep.equal([
      "ns-monitoring",
      "ns-tracing",
      "ns-istio-system",
      "ns-istio-ingress",
      "ns-cert-manager",
    ]);
    const noPrometheus = await run(
      stackInput("dev", { prometheus: { enabled: false }, grafana: { enabled: false } }),
    );
    expect(noPrometheus.resources.filter((x) => x.type === CONFIG_MAP)).to.deep.equal([]);
    expect(release(noPrometheus.resources, "alloy").dependsOn).to.deep.equal(["ns-logging", "loki"]);
  });

  it("creates no credentials Secret when prod names an existing one", () => {
    expect(
      prod.resources.filter((x) => x.type === SECRET && /loki|s3/.test(x.name)).map((x) => x.name),
    ).to.deep.equal([]);
  });
});

describe("Loki's S3 credentials", () => {
  const accessKeyId = "AKIAEXAMPLEKEYID0042";
  const secretAccessKey = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY";
  const objectStorage = { region: "eu-west-1", buckets: { chunks: "loki-chunks" } };

  it("go from secret config into a Kubernetes Secret only, and appear nowhere else", async () => {
    const r = await run(
      stackInput(
        "dev",
        { loki: { mode: "SimpleScalable", objectStorage } },
        { lokiS3AccessKeyId: accessKeyId, lokiS3SecretAccessKey: secretAccessKey },
      ),
    );
    const secret = find(r.resources, SECRET, "observability-loki-s3-credentials");
    expect(secret.parent).to.equal("observability-loki");
    expect(secret.dependsOn).to.deep.equal(["ns-logging"]);
    expect(secret.inputs["metadata"]).to.deep.equal({
      name: "loki-s3-credentials",
      namespace: "logging",
      labels: {
        "app.kubernetes.io/part-of": "observability-stack",
        "app.kubernetes.io/managed-by": "pulumi",
      },
    });
    expect(secret.inputs["stringData"]).to.equal("[secret]");
    const loki = release(r.resources, "loki");
    expect(loki.dependsOn).to.deep.equal(["ns-logging", "observability-loki-s3-credentials"]);
    expect(valueOf(loki, "loki.storage.s3.secretAccessKey")).to.equal("${LOKI_S3_SECRET_ACCESS_KEY}");
    expect(valueOf(loki, "write.extraEnv")).to.deep.include({
      name: "LOKI_S3_SECRET_ACCESS_KEY",
      valueFrom: { secretKeyRef: { name: "loki-s3-credentials", key: "AWS_SECRET_ACCESS_KEY" } },
    });
    const everything = JSON.stringify(r);
    expect(everything).not.to.include(accessKeyId);
    expect(everything).not.to.include(secretAccessKey);
  });

  it("stay out of prod's plan, which holds only the existing Secret's name and ${VAR} references", async () => {
    const doc = JSON.parse(renderJson(await plan("prod"))) as {
      resources: { type: string; name: string; inputs: Record<string, unknown> }[];
    };
    const loki = doc.resources.find((x) => x.type === HELM_RELEASE && x.name === "loki");
    const s3 = valueAt(loki?.inputs["values"], "loki.storage.s3") as Record<string, unknown>;
    expect(s3["accessKeyId"]).to.equal("${LOKI_S3_ACCESS_KEY_ID}");
    expect(s3["secretAccessKey"]).to.equal("${LOKI_S3_SECRET_ACCESS_KEY}");
    // Every Secret reference anywhere in the plan, and every Secret the plan creates.
    const refs = new Set<string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v !== null && typeof v === "object") {
        const o = v as Record<string, unknown>;
        const ref = o["secretKeyRef"] as { name?: string } | undefined;
        if (ref?.name !== undefined) refs.add(ref.name);
        Object.values(o).forEach(walk);
      }
    };
    walk(doc);
    // prod's Elasticsearch jobs read the elastic user's Secret, Jaeger its own password's and
    // Grafana the sign-on client's; Loki refers to its own only.
    expect([...refs].sort()).to.deep.equal([
      "elasticsearch-es-elastic-user",
      "jaeger-elasticsearch",
      "loki-object-storage",
      "observability-sign-on",
    ]);
    expect(doc.resources.filter((x) => x.type === SECRET && /loki|s3/.test(x.name))).to.deep.equal([]);
  });
});
