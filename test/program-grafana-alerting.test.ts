import { expect } from "chai";
import { parse } from "yaml";
import { ProgramRun } from "../tools/lib/run-program";
import { validateCustomResource } from "./lib/crd-schema";
import { requireUpstream } from "./lib/upstream";
import { find, release, run, stackInput, valueOf, programError } from "./lib/helpers";

const CONFIGMAP = "kubernetes:core/v1:ConfigMap";
const SECRET = "kubernetes:core/v1:Secret";
const RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
/** Your own signals (test/signals-program.test.ts) are the signals part's, not Grafana's or alerting's. */
const SIGNALS = "observability-signals";
const AMC = "kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig";

/** Receivers of every kind, routed as a production stack would route them. */
const RECEIVERS = {
  receivers: {
    oncall: { type: "pagerduty" },
    team: { type: "slack", channel: "#observability" },
  },
  route: { receiver: "team", routes: [{ receiver: "oncall", matchers: ["severity=critical"] }] },
};
const ROUTING_KEY = "R0UT1NG-KEY-0f-the-oncall-service";
const WEBHOOK = "https://hooks.slack.com/services/T000/B000/not-a-real-hook";

function names(r: ProgramRun, type: string): string[] {
  return r.resources.filter((x) => x.type === type && x.parent !== SIGNALS).map((x) => x.name);
}

describe("Grafana and alerting in the program", () => {
  let dev: ProgramRun;
  let prod: ProgramRun;

  before(async () => {
    dev = await run(stackInput("dev"));
    prod = await run(stackInput("prod"));
  });

  it("provisions the datasource and one ConfigMap per dashboard in Grafana's namespace, labelled for the sidecars", () => {
    expect(names(dev, CONFIGMAP)).to.deep.equal([
      "grafana-datasources",
      "grafana-dashboard-service-overview",
      "grafana-dashboard-stack-health",
      "grafana-dashboard-logs",
      "grafana-dashboard-community-kubernetes-cluster",
      "grafana-dashboard-community-mysql",
      "grafana-dashboard-community-node-exporter-full",
      "grafana-dashboard-community-postgres",
    ]);
    const ds = find(dev.resources, CONFIGMAP, "grafana-datasources");
    expect(ds.inputs["metadata"]).to.deep.include({ name: "grafana-datasources", namespace: "monitoring" });
    expect((ds.inputs["metadata"] as { labels: Record<string, string> }).labels).to.include({
      grafana_datasource: "1",
    });
    const dash = find(dev.resources, CONFIGMAP, "grafana-dashboard-stack-health");
    expect(dash.inputs["metadata"]).to.deep.equal({
      name: "grafana-dashboard-stack-health",
      namespace: "monitoring",
      labels: {
        "app.kubernetes.io/part-of": "observability-stack",
        "app.kubernetes.io/managed-by": "pulumi",
        grafana_dashboard: "1",
      },
      annotations: { grafana_folder: "Observability" },
    });
    expect(Object.keys(dash.inputs["data"] as object)).to.deep.equal(["grafana-dashboard-stack-health.json"]);
    expect(dash.dependsOn).to.deep.equal(["ns-monitoring"]);
  });

  it("installs the rules and the routing after the CRDs and the operator that admits them", () => {
    expect(names(dev, RULE)).to.deep.equal([
      "observability-service-alerts",
      "observability-workload-alerts",
      "observability-stack-alerts",
    ]);
    for (const r of dev.resources.filter(
      (x) => (x.type === RULE || x.type === AMC) && x.parent !== SIGNALS,
    )) {
      expect(r.dependsOn, r.name).to.deep.equal(["prometheus-operator-crds", "kube-prometheus-stack"]);
      expect((r.inputs["metadata"] as { namespace: string }).namespace, r.name).to.equal("monitoring");
    }
    // No receiver needs a secret in dev: there is no Secret at all.
    expect(names(dev, SECRET)).to.deep.equal(["observability-prometheus-grafana-admin"]);
  });

  it("makes the AlertmanagerConfig Alertmanager's whole configuration, kept out of the namespaced merge", () => {
    const kps = release(dev.resources, "kube-prometheus-stack");
    expect(valueOf(kps, "alertmanager.alertmanagerSpec.alertmanagerConfiguration")).to.deep.equal({
      name: "observability-routing",
    });
    expect(valueOf(kps, "alertmanager.alertmanagerSpec.alertmanagerConfigSelector")).to.deep.equal({
      matchExpressions: [
        { key: "observability-stack/alertmanager-config", operator: "NotIn", values: ["global"] },
      ],
    });
    const amc = find(dev.resources, AMC, "observability-routing");
    expect((amc.inputs["metadata"] as { labels: Record<string, string> }).labels).to.include({
      "observability-stack/alertmanager-config": "global",
    });
  });

  it("exports the rules and where alerts go: the null receiver in dev", () => {
    expect(dev.outputs["alerting"]).to.deep.equal({
      rules: [
        "HighErrorRate",
        "HighLatencyP99",
        "PodRestarting",
        "ObservabilityComponentDown",
        "PrometheusIngestionStalled",
        "AlertmanagerNotificationsFailing",
      ],
      defaultReceiver: "null",
      receivers: [],
    });
  });

  it("sends every custom resource it declares past the CRD schemas", function () {
    requireUpstream(this, "crds");
    for (const r of [...dev.resources, ...prod.resources].filter(
      (x) => (x.type === RULE || x.type === AMC) && x.parent !== SIGNALS,
    )) {
      expect(validateCustomResource(r.inputs), r.name).to.deep.equal([]);
    }
  });

  describe("with receivers and their secrets", () => {
    let routed: ProgramRun;

    before(async () => {
      routed = await run(
        stackInput(
          "prod",
          { alerting: RECEIVERS },
          { alertReceiverSecrets: JSON.stringify({ oncall: ROUTING_KEY, team: WEBHOOK }) },
        ),
      );
    });

    it("keeps the credentials in a Secret only, as secret Outputs, and nowhere in plain text", () => {
      const secret = find(routed.resources, SECRET, "alertmanager-receivers");
      expect(secret.inputs["stringData"]).to.equal("[secret]");
      expect(secret.inputs["metadata"]).to.deep.include({
        name: "alertmanager-receivers",
        namespace: "monitoring",
      });
      const text = JSON.stringify(routed);
      expect(text).not.to.include(ROUTING_KEY);
      expect(text).not.to.include(WEBHOOK);
    });

    it("references the Secret by key from the receivers, and waits for it", () => {
      const amc = find(routed.resources, AMC, "observability-routing");
      expect(amc.dependsOn).to.deep.equal([
        "prometheus-operator-crds",
        "kube-prometheus-stack",
        "alertmanager-receivers",
      ]);
      const receivers = (amc.inputs["spec"] as { receivers: Record<string, unknown>[] }).receivers;
      expect(receivers.map((r) => r["name"])).to.deep.equal(["null", "oncall", "team"]);
      const first = (r: Record<string, unknown> | undefined, key: string) =>
        (r?.[key] as Record<string, unknown>[] | undefined)?.[0];
      expect(first(receivers[1], "pagerdutyConfigs")?.["routingKey"]).to.deep.equal({
        name: "alertmanager-receivers",
        key: "oncall",
      });
      expect(first(receivers[2], "slackConfigs")?.["apiURL"]).to.deep.equal({
        name: "alertmanager-receivers",
        key: "team",
      });
      expect(routed.outputs["alerting"]).to.deep.include({
        defaultReceiver: "team",
        receivers: [
          { name: "oncall", type: "pagerduty" },
          { name: "team", type: "slack" },
        ],
      });
    });

    it("refuses the secrets written as plain text in a stack file", async () => {
      const input = stackInput("dev", { alerting: RECEIVERS });
      input.config["observability:alertReceiverSecrets"] = JSON.stringify({
        oncall: ROUTING_KEY,
        team: WEBHOOK,
      });
      const message = await programError(input);
      expect(message).to.equal(
        "Invalid stack config: alertReceiverSecrets: is plain text in the stack file, but it holds receiver credentials; set one secret per receiver with `pulumi config set --secret --path alertReceiverSecrets.<receiver> <value>`",
      );
      expect(message).not.to.include(ROUTING_KEY);
    });

    it("refuses secrets that are not an object of strings, without echoing them", async () => {
      const message = await programError(stackInput("dev", {}, { alertReceiverSecrets: ROUTING_KEY }));
      expect(message).to.equal(
        "Invalid stack config: alertReceiverSecrets: must be an object of receiver names to non-empty secret strings; set one secret per receiver with `pulumi config set --secret --path alertReceiverSecrets.<receiver> <value>`",
      );
    });

    it("stops before declaring anything when a receiver lacks its secret", async () => {
      const message = await programError(
        stackInput(
          "dev",
          { alerting: RECEIVERS },
          { alertReceiverSecrets: JSON.stringify({ team: WEBHOOK }) },
        ),
      );
      expect(message).to.equal(
        "Invalid stack config: alerting.receivers.oncall: is a pagerduty receiver but alertReceiverSecrets has no oncall (the PagerDuty routing key); set it with `pulumi config set --secret --path alertReceiverSecrets.oncall <value>`",
      );
    });
  });

  it("differs between dev and prod only in the download container's size, Loki's tenant and the stack's namespaces", () => {
    // prod also runs Elasticsearch: the stack's namespaces, which the health view and the
    // component-down rule cover, are the only difference in dashboards and rules.
    const namespacesOf = (r: ProgramRun) => (r.outputs["namespaces"] as string[]).join("|");
    const objects = (r: ProgramRun) =>
      r.resources
        .filter(
          (x) =>
            [CONFIGMAP, RULE, AMC].includes(x.type) &&
            x.name !== "grafana-datasources" &&
            x.parent !== SIGNALS,
        )
        .map((x) => [x.name, JSON.stringify(x.inputs).replaceAll(namespacesOf(r), "<stack namespaces>")]);
    expect(namespacesOf(prod)).to.equal(
      `${namespacesOf(dev).replace("|cert-manager", "")}|elastic-system|search|cert-manager`,
    );
    // Dashboards, rules and routing: what is tried on a laptop is what runs in prod.
    expect(objects(prod)).to.deep.equal(objects(dev));
    // The same datasources; prod's Loki is multi-tenant, so its datasource sends the tenant header.
    const datasources = (r: ProgramRun) =>
      (
        parse(
          (find(r.resources, CONFIGMAP, "grafana-datasources").inputs["data"] as Record<string, string>)[
            "grafana-datasources.yaml"
          ] ?? "",
        ) as { datasources: { uid: string; secureJsonData?: unknown }[] }
      ).datasources;
    expect(datasources(prod).map((d) => d.uid)).to.deep.equal(datasources(dev).map((d) => d.uid));
    expect(
      datasources(prod)
        .filter((d) => d.secureJsonData !== undefined)
        .map((d) => d.uid),
    ).to.deep.equal(["loki"]);
    const d = release(dev.resources, "kube-prometheus-stack");
    const p = release(prod.resources, "kube-prometheus-stack");
    for (const path of [
      "grafana.dashboards",
      "grafana.dashboardProviders",
      "grafana.sidecar.dashboards",
      "grafana.sidecar.datasources",
    ]) {
      expect(valueOf(p, path), path).to.deep.equal(valueOf(d, path));
    }
  });

  describe("switched off", () => {
    it("without Alertmanager: no routing, no Alertmanager datasource, no delivery rule", async () => {
      const r = await run(stackInput("dev", { alertmanager: { enabled: false } }));
      expect(names(r, AMC)).to.deep.equal([]);
      expect(names(r, CONFIGMAP)).to.deep.equal([
        "grafana-datasources",
        "grafana-dashboard-service-overview",
        "grafana-dashboard-stack-health",
        "grafana-dashboard-logs",
        "grafana-dashboard-community-kubernetes-cluster",
        "grafana-dashboard-community-mysql",
        "grafana-dashboard-community-node-exporter-full",
        "grafana-dashboard-community-postgres",
      ]);
      const kps = release(r.resources, "kube-prometheus-stack");
      expect(valueOf(kps, "alertmanager.alertmanagerSpec.alertmanagerConfiguration")).to.equal(undefined);
      expect(
        JSON.stringify(r.resources.filter((x) => x.type === RULE && x.parent !== SIGNALS)),
      ).not.to.include("AlertmanagerNotificationsFailing");
      expect(r.outputs["alerting"]).to.deep.include({ defaultReceiver: null, receivers: [] });
    });

    it("without alerting: no rules, no routing, the chart's own Alertmanager configuration", async () => {
      const r = await run(stackInput("dev", { alerting: { enabled: false } }));
      expect([...names(r, RULE), ...names(r, AMC)]).to.deep.equal([]);
      expect(
        valueOf(
          release(r.resources, "kube-prometheus-stack"),
          "alertmanager.alertmanagerSpec.alertmanagerConfiguration",
        ),
      ).to.equal(undefined);
      expect(r.outputs["alerting"]).to.equal(null);
    });

    it("without dashboards: no dashboard ConfigMaps and nothing to download", async () => {
      const r = await run(stackInput("dev", { dashboards: { enabled: false } }));
      expect(names(r, CONFIGMAP)).to.deep.equal(["grafana-datasources"]);
      expect(valueOf(release(r.resources, "kube-prometheus-stack"), "grafana.dashboards")).to.equal(
        undefined,
      );
    });

    it("without Grafana: no datasources or dashboards, the rules still on", async () => {
      const r = await run(stackInput("dev", { grafana: { enabled: false } }));
      expect(names(r, CONFIGMAP)).to.deep.equal([]);
      expect(names(r, RULE).length).to.equal(3);
      expect(r.resources.map((x) => x.name)).not.to.include("observability-grafana");
    });
  });
});
