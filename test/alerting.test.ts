import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import {
  ALERT_NAMES,
  alertmanagerConfigSpec,
  alertRuleGroups,
  prometheusRuleSpec,
  receiversWithSecrets,
  RuleGroup,
} from "../components/alerting";
import { validateCustomResource } from "./lib/crd-schema";
import { requireUpstream } from "./lib/upstream";
import { PROJECT_DIR, stackRawConfig } from "./lib/helpers";
import { promqlErrors } from "./lib/query-lang";
import { StackConfig, parseStackConfig } from "../components/core";

const dev = parseStackConfig(stackRawConfig("dev"));
const prod = parseStackConfig(stackRawConfig("prod"));

function groupsOf(config: StackConfig, namespaces: string[] = ["monitoring"]): RuleGroup[] {
  return alertRuleGroups({
    rules: config.alerting.rules,
    runbookBaseUrl: config.alerting.runbookBaseUrl,
    stackNamespaces: namespaces,
    alertmanagerEnabled: config.alertmanager.enabled,
  });
}

function prometheusRule(group: RuleGroup): Record<string, unknown> {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: { name: group.resource, namespace: "monitoring" },
    spec: prometheusRuleSpec(group),
  };
}

function alertmanagerConfig(spec: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: "monitoring.coreos.com/v1alpha1",
    kind: "AlertmanagerConfig",
    metadata: { name: "observability-routing", namespace: "monitoring" },
    spec,
  };
}

/** A config with receivers of every kind and routes to them, as a production stack would set. */
const routed = parseStackConfig(
  {
    ...stackRawConfig("prod"),
    alerting: {
      receivers: {
        oncall: { type: "pagerduty" },
        team: { type: "slack", channel: "#observability" },
        mail: {
          type: "email",
          to: "ops@example.org",
          from: "alertmanager@example.org",
          smarthost: "smtp.example.org:587",
          authUsername: "alertmanager",
        },
        relay: {
          type: "email",
          to: "ops@example.org",
          from: "alertmanager@example.org",
          smarthost: "relay.internal:25",
          requireTls: false,
        },
      },
      route: {
        receiver: "team",
        repeatInterval: "4h",
        routes: [
          { receiver: "oncall", matchers: ["severity=critical"], continue: true },
          { receiver: "mail", matchers: ['namespace=~"payments-.*"', "severity!=info"] },
        ],
      },
    },
  },
  new Set(["alertReceiverSecrets"]),
  { alertReceiverSecrets: ["mail", "oncall", "team"] },
);

describe("alert rules", () => {
  it("are the seed's HighErrorRate and the rest, each with severity, summary and runbook link", () => {
    const rules = groupsOf(dev).flatMap((g) => g.rules);
    expect(rules.map((r) => [r.alert, r.for, r.labels.severity])).to.deep.equal([
      ["HighErrorRate", "5m", "critical"],
      ["HighLatencyP99", "10m", "warning"],
      ["PodRestarting", "5m", "warning"],
      ["ObservabilityComponentDown", "5m", "critical"],
      ["PrometheusIngestionStalled", "10m", "critical"],
      ["AlertmanagerNotificationsFailing", "15m", "warning"],
    ]);
    for (const r of rules) {
      expect(r.annotations.summary, r.alert).to.match(/\S/);
      expect(r.annotations.description, r.alert).to.match(/\S/);
      expect(r.annotations.runbook_url).to.equal(`docs/runbooks.md#${r.alert.toLowerCase()}`);
    }
  });

  it("fire HighErrorRate above 5% of 5xx over 5 minutes, with namespace and service labels", () => {
    const rule = groupsOf(dev)[0]?.rules[0];
    expect(rule?.expr).to.equal(
      'label_replace(label_replace(sum by (destination_service_namespace, destination_service_name) (rate(istio_requests_total{reporter="destination", response_code=~"5.."}[5m])) / sum by (destination_service_namespace, destination_service_name) (rate(istio_requests_total{reporter="destination"}[5m])), "namespace", "$1", "destination_service_namespace", "(.*)"), "service", "$1", "destination_service_name", "(.*)") > 0.05',
    );
  });

  it("watch every namespace of the stack", () => {
    const stack = groupsOf(dev, ["monitoring", "logging", "tracing"]).find(
      (g) => g.name === "observability-stack",
    );
    expect(stack?.rules[0]?.expr).to.equal('up{namespace=~"monitoring|logging|tracing"} == 0');
  });

  it("take thresholds, windows, durations and severities from config", () => {
    const cfg = parseStackConfig({
      ...stackRawConfig("dev"),
      alerting: {
        runbookBaseUrl: "https://git.example.org/platform/observability/blob/main/docs/runbooks.md/",
        rules: {
          highErrorRate: { threshold: "0.01", window: "10m", for: "15m", severity: "warning" },
          highLatency: { threshold: 250 },
          podRestarts: { enabled: false },
        },
      },
    });
    const [service, stack] = groupsOf(cfg);
    expect(service?.rules[0]?.expr).to.match(/\[10m\].*\[10m\].* > 0\.01$/);
    expect(service?.rules[0]?.for).to.equal("15m");
    expect(service?.rules[0]?.labels).to.deep.equal({ severity: "warning" });
    expect(service?.rules[0]?.annotations.description).to.include("More than 1% of the requests");
    expect(service?.rules[0]?.annotations.runbook_url).to.equal(
      "https://git.example.org/platform/observability/blob/main/docs/runbooks.md#higherrorrate",
    );
    expect(service?.rules[1]?.expr).to.match(/ > 250$/);
    // No workload rule is left, so its PrometheusRule goes.
    expect(groupsOf(cfg).map((g) => g.resource)).to.deep.equal([
      "observability-service-alerts",
      "observability-stack-alerts",
    ]);
    expect(stack?.name).to.equal("observability-stack");
  });

  it("leave Alertmanager's delivery rule out when it does not run", () => {
    const noAm = parseStackConfig({ ...stackRawConfig("dev"), alertmanager: { enabled: false } });
    expect(groupsOf(noAm).flatMap((g) => g.rules.map((r) => r.alert))).to.not.include(
      "AlertmanagerNotificationsFailing",
    );
  });

  it("are expressions Prometheus's own grammar parses", () => {
    for (const config of [dev, prod, routed]) {
      for (const r of groupsOf(config, ["monitoring", "logging"]).flatMap((g) => g.rules)) {
        expect(promqlErrors(r.expr), r.expr).to.deep.equal([]);
      }
    }
  });

  it("each have a runbook section at the anchor they link", () => {
    const doc = fs.readFileSync(path.join(PROJECT_DIR, "docs", "runbooks.md"), "utf8");
    const anchors = [...doc.matchAll(/^## (\S+)$/gm)].map((m) => (m[1] ?? "").toLowerCase());
    expect(anchors).to.deep.equal(Object.values(ALERT_NAMES).map((a) => a.toLowerCase()));
  });

  it("are the same in dev and prod", () => {
    expect(groupsOf(prod)).to.deep.equal(groupsOf(dev));
  });
});

describe("Alertmanager routing", () => {
  it("sends everything to the null receiver by default, past the always-firing Watchdog", () => {
    expect(alertmanagerConfigSpec(dev.alerting)).to.deep.equal({
      route: {
        receiver: "null",
        groupBy: ["alertname", "namespace"],
        groupWait: "30s",
        groupInterval: "5m",
        repeatInterval: "12h",
        routes: [
          { receiver: "null", matchers: [{ name: "alertname", value: "Watchdog", matchType: "=" }] },
          { receiver: "null", matchers: [{ name: "alertname", value: "InfoInhibitor", matchType: "=" }] },
        ],
      },
      receivers: [{ name: "null" }],
      inhibitRules: [
        {
          sourceMatch: [{ name: "severity", value: "critical", matchType: "=" }],
          targetMatch: [{ name: "severity", value: "warning", matchType: "=" }],
          equal: ["namespace", "service"],
        },
      ],
    });
  });

  it("routes to receivers that read their credentials from the Secret by key", () => {
    const spec = alertmanagerConfigSpec(routed.alerting) as {
      route: { receiver: string; repeatInterval: string; routes: unknown[] };
      receivers: Record<string, unknown>[];
    };
    expect(spec.route.receiver).to.equal("team");
    expect(spec.route.repeatInterval).to.equal("4h");
    expect(spec.route.routes.slice(2)).to.deep.equal([
      {
        receiver: "oncall",
        matchers: [{ name: "severity", value: "critical", matchType: "=" }],
        continue: true,
      },
      {
        receiver: "mail",
        matchers: [
          { name: "namespace", value: "payments-.*", matchType: "=~" },
          { name: "severity", value: "info", matchType: "!=" },
        ],
      },
    ]);
    const byName: Record<string, Record<string, unknown>> = Object.fromEntries(
      spec.receivers.map((r) => [String(r["name"]), r]),
    );
    expect(Object.keys(byName)).to.deep.equal(["null", "mail", "oncall", "relay", "team"]);
    expect(byName["oncall"]).to.deep.include({
      pagerdutyConfigs: [
        {
          routingKey: { name: "alertmanager-receivers", key: "oncall" },
          sendResolved: true,
          severity: "{{ if .CommonLabels.severity }}{{ .CommonLabels.severity }}{{ else }}critical{{ end }}",
          description: "{{ .CommonAnnotations.summary }}",
        },
      ],
    });
    const slack = (byName["team"]?.["slackConfigs"] as Record<string, unknown>[])[0];
    expect(slack?.["apiURL"]).to.deep.equal({ name: "alertmanager-receivers", key: "team" });
    expect(slack?.["channel"]).to.equal("#observability");
    const mail = (byName["mail"]?.["emailConfigs"] as Record<string, unknown>[])[0];
    expect(mail).to.deep.equal({
      to: "ops@example.org",
      from: "alertmanager@example.org",
      smarthost: "smtp.example.org:587",
      requireTLS: true,
      sendResolved: true,
      authUsername: "alertmanager",
      authPassword: { name: "alertmanager-receivers", key: "mail" },
    });
    expect((byName["relay"]?.["emailConfigs"] as Record<string, unknown>[])[0]).to.not.have.property(
      "authPassword",
    );
    expect(receiversWithSecrets(routed.alerting)).to.deep.equal(["mail", "oncall", "team"]);
  });

  it("inhibits nothing when inhibition is off", () => {
    const off = parseStackConfig({ ...stackRawConfig("dev"), alerting: { inhibition: { enabled: false } } });
    expect(alertmanagerConfigSpec(off.alerting)["inhibitRules"]).to.deep.equal([]);
  });
});

describe("alerting custom resources against the prometheus-operator v0.89.0 CRDs", function () {
  before(function () {
    requireUpstream(this, "crds");
  });

  it("accept every PrometheusRule", () => {
    for (const config of [dev, prod, routed]) {
      for (const g of groupsOf(config))
        expect(validateCustomResource(prometheusRule(g)), g.resource).to.deep.equal([]);
    }
  });

  it("accept the AlertmanagerConfig, each child route checked as a route too", () => {
    for (const config of [dev, routed]) {
      const spec = alertmanagerConfigSpec(config.alerting) as {
        route: { routes: Record<string, unknown>[] };
      };
      expect(validateCustomResource(alertmanagerConfig(spec))).to.deep.equal([]);
      // The CRD leaves child routes unchecked (preserve-unknown-fields); the operator parses them as routes.
      for (const child of spec.route.routes) {
        expect(
          validateCustomResource(alertmanagerConfig({ route: child })),
          JSON.stringify(child),
        ).to.deep.equal([]);
      }
    }
  });

  it("would catch a misspelt field", () => {
    const spec = alertmanagerConfigSpec(routed.alerting) as { receivers: Record<string, unknown>[] };
    const bad = { ...spec, receivers: [{ name: "x", slackConfig: [] }] };
    expect(validateCustomResource(alertmanagerConfig(bad))).to.deep.equal([
      "/spec/receivers/0 must NOT have additional properties (slackConfig)",
    ]);
    const badRule = prometheusRule(groupsOf(dev)[0] as RuleGroup);
    (badRule["spec"] as { groups: { rules: Record<string, unknown>[] }[] }).groups[0]?.rules.push({
      alert: "X",
      expr: "up",
      for: "5 minutes",
    });
    expect(validateCustomResource(badRule)[0]).to.match(
      /^\/spec\/groups\/0\/rules\/2\/for must match pattern/,
    );
  });
});
