import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../lib/helpers";
import {
  applicationPod,
  datasourceProbes,
  datasourceVerdict,
  jaegerSpanFound,
  lokiLineFound,
  missingOperatorWorkloads,
  monitorsOf,
  monitorsWithTargets,
  otlpExportResult,
  otlpSpanRequest,
  targetVerdict,
  workloadProblems,
  WorkloadLists,
} from "../../tools/e2e/verdicts";

const FIXTURES = path.join(PROJECT_DIR, "test", "tools", "fixtures", "real-pods");

function fixture(name: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, name), "utf8"));
}

describe("the e2e suite's verdicts on recorded API responses", () => {
  describe("readiness", () => {
    it("passes when every workload is rolled out and Ready", () => {
      expect(workloadProblems(fixture("apps-ready.json") as WorkloadLists)).to.deep.equal([]);
    });

    it("names a spec not yet seen, too few ready or updated replicas, and a DaemonSet scheduled nowhere", () => {
      expect(workloadProblems(fixture("apps-not-ready.json") as WorkloadLists)).to.deep.equal([
        "Deployment monitoring/kube-prometheus-stack-grafana: its controller has not seen the latest spec yet",
        "Deployment tracing/jaeger: 0/1 updated",
        "StatefulSet logging/loki: 0/1 ready",
        "DaemonSet logging/alloy: 0/0 ready",
      ]);
    });

    it("does not pass vacuously before the operator has made Alertmanager's StatefulSet", () => {
      const crs = fixture("monitoring-crs.json") as Record<string, unknown>;
      const early = fixture("apps-statefulsets-before-alertmanager.json");
      // The StatefulSets that exist are all Ready...
      expect(workloadProblems({ deployments: {}, statefulsets: early, daemonsets: {} })).to.deep.equal([]);
      // ...but the one the operator still has to make is missing.
      expect(missingOperatorWorkloads(crs["prometheuses"], crs["alertmanagers"], early)).to.deep.equal([
        "StatefulSet monitoring/alertmanager-kube-prometheus-stack-alertmanager of Alertmanager kube-prometheus-stack-alertmanager does not exist yet",
      ]);
      const all = (fixture("apps-ready.json") as WorkloadLists).statefulsets;
      expect(missingOperatorWorkloads(crs["prometheuses"], crs["alertmanagers"], all)).to.deep.equal([]);
    });
  });

  describe("Grafana's datasources", () => {
    const expected = ["prometheus", "alertmanager", "loki", "jaeger"];

    it("asks each plugin's health check, and Alertmanager (no backend) through Grafana's proxy", () => {
      const { probes, problems } = datasourceProbes(fixture("grafana-datasources.json"), expected);
      expect(problems).to.deep.equal([]);
      expect(probes.map((p) => [p.uid, p.via, p.path])).to.deep.equal([
        ["prometheus", "health", "/api/datasources/uid/prometheus/health"],
        ["alertmanager", "proxy", "/api/datasources/proxy/uid/alertmanager/api/v2/status"],
        ["loki", "health", "/api/datasources/uid/loki/health"],
        ["jaeger", "health", "/api/datasources/uid/jaeger/health"],
      ]);
    });

    it("names a datasource Grafana does not list", () => {
      const { probes, problems } = datasourceProbes(fixture("grafana-datasources.json"), [
        ...expected,
        "elasticsearch",
      ]);
      expect(probes).to.have.length(4);
      expect(problems).to.deep.equal([
        "datasource elasticsearch: Grafana does not list it (it lists prometheus, alertmanager, loki, jaeger)",
      ]);
    });

    it("is healthy only on 200 with status OK, or on Alertmanager's status through the proxy", () => {
      const { probes } = datasourceProbes(fixture("grafana-datasources.json"), expected);
      const [prometheus, alertmanager, loki, jaeger] = probes;
      if (
        prometheus === undefined ||
        alertmanager === undefined ||
        loki === undefined ||
        jaeger === undefined
      )
        throw new Error("four probes");
      expect(datasourceVerdict(prometheus, 200, fixture("grafana-health-prometheus-ok.json"))).to.deep.equal({
        healthy: true,
        detail: "prometheus prometheus: HTTP 200, OK: Successfully queried the Prometheus API.",
      });
      expect(datasourceVerdict(loki, 200, fixture("grafana-health-loki-ok.json")).healthy).to.equal(true);
      expect(datasourceVerdict(jaeger, 200, fixture("grafana-health-jaeger-ok.json")).healthy).to.equal(true);
      expect(datasourceVerdict(alertmanager, 200, fixture("alertmanager-status.json"))).to.deep.equal({
        healthy: true,
        detail: "alertmanager alertmanager through Grafana's proxy: HTTP 200, version 0.31.1",
      });

      // Grafana could not reach the datasource (a NetworkPolicy, the mesh, the service down).
      const failed = datasourceVerdict(loki, 400, fixture("grafana-health-loki-error.json"));
      expect(failed.healthy).to.equal(false);
      expect(failed.detail).to.equal(
        "loki loki: HTTP 400, ERROR: Unable to connect with Loki. Please check the server logs for more details.",
      );
      expect(
        datasourceVerdict(prometheus, 400, fixture("grafana-health-prometheus-error.json")).detail,
      ).to.include("i/o timeout");
      // A 200 that does not say OK, and the proxy's error page, fail too.
      expect(datasourceVerdict(prometheus, 200, { status: "UNKNOWN", message: "" }).healthy).to.equal(false);
      expect(datasourceVerdict(alertmanager, 502, { message: "Bad Gateway" }).healthy).to.equal(false);
    });
  });

  describe("Prometheus's targets", () => {
    const crs = fixture("monitoring-crs.json") as Record<string, unknown>;
    const monitors = monitorsOf(crs["serviceMonitors"], crs["podMonitors"]);

    it("passes when every declared monitor has a target and every target is up", () => {
      const v = targetVerdict(monitors, fixture("prometheus-targets-all-up.json"));
      expect(v.problems).to.deep.equal([]);
      expect(v.targets).to.equal(5);
      expect(v.perMonitor).to.deep.equal([
        "ServiceMonitor monitoring/kube-prometheus-stack-grafana: 1/1 up",
        "ServiceMonitor monitoring/kube-prometheus-stack-prometheus: 1/1 up",
        "ServiceMonitor istio-system/istiod: 1/1 up",
        "PodMonitor istio-system/envoy-stats: 2/2 up",
      ]);
    });

    it("fails on a target that is down, with Prometheus's error (Grafana scraped under PERMISSIVE)", () => {
      const v = targetVerdict(monitors, fixture("prometheus-targets-grafana-down.json"));
      expect(v.problems).to.deep.equal([
        'serviceMonitor/monitoring/kube-prometheus-stack-grafana/0 https://10.244.0.12:3000/metrics: down (Get "https://10.244.0.12:3000/metrics": tls: first record does not look like a TLS handshake)',
      ]);
    });

    it("fails on a monitor that matches nothing, although every target there is up", () => {
      const v = targetVerdict(monitors, fixture("prometheus-targets-istiod-missing.json"));
      expect(v.problems).to.deep.equal(["ServiceMonitor istio-system/istiod: no target"]);
    });

    it("does not wait for a scrape target of an application namespace that does not exist", () => {
      const shop = {
        metadata: { name: "signals-shop-shop", namespace: "monitoring" },
        spec: { namespaceSelector: { matchNames: ["shop"] }, selector: { matchLabels: { app: "shop" } } },
      };
      const crsWithShop = {
        items: [...(crs["serviceMonitors"] as { items: unknown[] }).items, shop],
      };
      const all = monitorsOf(crsWithShop, crs["podMonitors"]);
      const stackNamespaces = new Set(["monitoring", "istio-system"]);
      const { scraped, noApplication } = monitorsWithTargets(all, stackNamespaces);
      expect(scraped).to.deep.equal(monitors);
      expect(noApplication).to.deep.equal([
        { kind: "ServiceMonitor", namespace: "monitoring", name: "signals-shop-shop", selects: ["shop"] },
      ]);
      // Once the shop's namespace exists, its monitor must have a target like any other.
      const withShop = monitorsWithTargets(all, new Set([...stackNamespaces, "shop"]));
      expect(withShop.noApplication).to.deep.equal([]);
      expect(
        targetVerdict(withShop.scraped, fixture("prometheus-targets-all-up.json")).problems,
      ).to.deep.equal(["ServiceMonitor monitoring/signals-shop-shop: no target"]);
    });

    it("fails when Prometheus has no target at all", () => {
      expect(targetVerdict([], { status: "success", data: { activeTargets: [] } }).problems).to.deep.equal([
        "Prometheus has no active target",
      ]);
    });
  });

  describe("the log line in Loki", () => {
    const token = "e2e-3f1c9a52-8d4e-4b7a-9c1f-6e2d0b5a7c13";

    it("is found in a stream labelled with the pod's namespace", () => {
      expect(lokiLineFound(fixture("loki-query-range-found.json"), "e2e-app", token)).to.equal(true);
    });

    it("is not found in an empty answer, another namespace's stream, or with another token", () => {
      expect(lokiLineFound(fixture("loki-query-range-empty.json"), "e2e-app", token)).to.equal(false);
      expect(lokiLineFound(fixture("loki-query-range-other-namespace.json"), "e2e-app", token)).to.equal(
        false,
      );
      expect(lokiLineFound(fixture("loki-query-range-found.json"), "e2e-app", "e2e-other")).to.equal(false);
    });
  });

  describe("the span in Jaeger", () => {
    const ids = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7" };

    it("is found with its trace id, span id and service", () => {
      expect(jaegerSpanFound(200, fixture("jaeger-trace-found.json"), ids, "e2e-app")).to.equal(true);
      // Jaeger drops a trace id's leading zeros.
      const padded = { traceId: "004bf92f3577b34da6a3ce929d0e0e4736".slice(2), spanId: "f067aa0ba902b7" };
      expect(jaegerSpanFound(200, fixture("jaeger-trace-found.json"), padded, "e2e-app")).to.equal(true);
    });

    it("is not found while Jaeger answers 404, nor from another service or span", () => {
      expect(jaegerSpanFound(404, fixture("jaeger-trace-not-found.json"), ids, "e2e-app")).to.equal(false);
      expect(jaegerSpanFound(200, fixture("jaeger-trace-found.json"), ids, "other")).to.equal(false);
      expect(
        jaegerSpanFound(
          200,
          fixture("jaeger-trace-found.json"),
          { ...ids, spanId: "1111111111111111" },
          "e2e-app",
        ),
      ).to.equal(false);
    });
  });

  describe("the application pod", () => {
    const ids = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7" };
    const span = otlpSpanRequest(ids, "e2e-app", 1796673162512334981n);
    const pod = applicationPod({
      namespace: "e2e-app",
      image: "busybox:1.36.1",
      token: "e2e-token",
      otlpHttp: "http://otlp.tracing.svc:4318",
      span,
    }) as {
      metadata: { namespace: string };
      spec: { containers: { env: { name: string; value: string }[]; resources: unknown }[] };
    };

    it("posts the span to the otlp Service's HTTP endpoint from its own namespace", () => {
      const env = Object.fromEntries(pod.spec.containers[0]?.env.map((e) => [e.name, e.value]) ?? []);
      expect(pod.metadata.namespace).to.equal("e2e-app");
      expect(env["URL"]).to.equal("http://otlp.tracing.svc:4318/v1/traces");
      expect(env["TOKEN"]).to.equal("e2e-token");
      const sent = JSON.parse(env["SPAN"] ?? "{}") as typeof span;
      expect(sent).to.deep.equal(span);
      expect(JSON.stringify(sent)).to.include('"traceId":"4bf92f3577b34da6a3ce929d0e0e4736"');
      expect(pod.spec.containers[0]?.resources).to.deep.equal({
        requests: { cpu: "10m", memory: "16Mi" },
        limits: { memory: "32Mi" },
      });
    });

    it("reports its export on its log, which the suite reads", () => {
      expect(otlpExportResult("e2e-token\notlp-export: ok\n")).to.equal("ok");
      expect(otlpExportResult("e2e-token\notlp-export: failed 1\n")).to.equal("failed");
      expect(otlpExportResult("e2e-token\n")).to.equal(undefined);
    });
  });
});
