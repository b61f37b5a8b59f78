import { AlertRuleConfig, AlertRulesConfig, RuleName, ThresholdRuleConfig } from "./config";

/** One Prometheus alerting rule, in the shape a PrometheusRule's groups take. */
export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: string };
  annotations: { summary: string; description: string; runbook_url: string };
}

/** A rule group, installed as one PrometheusRule custom resource. */
export interface RuleGroup {
  /** The PrometheusRule's name. */
  resource: string;
  /** The group's name inside it. */
  name: string;
  rules: AlertRule[];
}

export interface RuleArgs {
  /** Thresholds, windows, durations and severities (stack config `alerting.rules`). */
  rules: AlertRulesConfig;
  /** Where docs/runbooks.md is published; each alert links `<base>#<alert in lower case>`. */
  runbookBaseUrl: string;
  /** The stack's own namespaces: their scrape targets and Prometheus are what the stack rules watch. */
  stackNamespaces: readonly string[];
  /** Whether Alertmanager runs, so its delivery failures can be watched. */
  alertmanagerEnabled: boolean;
}

/** The alert name each configurable rule gets. */
export const ALERT_NAMES: Readonly<Record<RuleName, string>> = {
  highErrorRate: "HighErrorRate",
  highLatency: "HighLatencyP99",
  podRestarts: "PodRestarting",
  componentDown: "ObservabilityComponentDown",
  ingestionStalled: "PrometheusIngestionStalled",
  notificationsFailing: "AlertmanagerNotificationsFailing",
};

// Istio's standard metrics as the receiving proxy reports them: one report per request.
const DESTINATION = 'reporter="destination"';
const BY_SERVICE = "destination_service_namespace, destination_service_name";

/** Renames Istio's destination labels to `namespace` and `service`, which routing and inhibition use. */
function serviceLabels(expr: string): string {
  return (
    `label_replace(label_replace(${expr}, "namespace", "$1", "destination_service_namespace", "(.*)"), ` +
    `"service", "$1", "destination_service_name", "(.*)")`
  );
}

function regexOf(names: readonly string[]): string {
  return names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\\\$&")).join("|");
}

/** One rule with its severity label, summary, description and runbook link. */
function rule(
  name: RuleName,
  cfg: AlertRuleConfig,
  args: RuleArgs,
  expr: string,
  summary: string,
  description: string,
): AlertRule {
  const alert = ALERT_NAMES[name];
  return {
    alert,
    expr,
    for: cfg.for,
    labels: { severity: cfg.severity },
    annotations: {
      summary,
      description,
      runbook_url: `${args.runbookBaseUrl}#${alert.toLowerCase()}`,
    },
  };
}

function percent(ratio: number): string {
  return `${String(Math.round(ratio * 10000) / 100)}%`;
}

function serviceRules(args: RuleArgs): AlertRule[] {
  const out: AlertRule[] = [];
  const e: ThresholdRuleConfig = args.rules.highErrorRate;
  if (e.enabled) {
    const errors = `sum by (${BY_SERVICE}) (rate(istio_requests_total{${DESTINATION}, response_code=~"5.."}[${e.window}]))`;
    const all = `sum by (${BY_SERVICE}) (rate(istio_requests_total{${DESTINATION}}[${e.window}]))`;
    out.push(
      rule(
        "highErrorRate",
        e,
        args,
        `${serviceLabels(`${errors} / ${all}`)} > ${String(e.threshold)}`,
        "{{ $labels.service }}.{{ $labels.namespace }} answers {{ $value | humanizePercentage }} of its requests with 5xx",
        `More than ${percent(e.threshold)} of the requests to {{ $labels.service }} in {{ $labels.namespace }} failed with a 5xx status (rate over ${e.window}, for ${e.for}).`,
      ),
    );
  }
  const l = args.rules.highLatency;
  if (l.enabled) {
    const p99 = `histogram_quantile(0.99, sum by (le, ${BY_SERVICE}) (rate(istio_request_duration_milliseconds_bucket{${DESTINATION}}[${l.window}])))`;
    out.push(
      rule(
        "highLatency",
        l,
        args,
        `${serviceLabels(p99)} > ${String(l.threshold)}`,
        "{{ $labels.service }}.{{ $labels.namespace }} answers 1% of its requests slower than {{ $value | humanize }}ms",
        `The p99 request latency of {{ $labels.service }} in {{ $labels.namespace }} is above ${String(l.threshold)}ms (over ${l.window}, for ${l.for}).`,
      ),
    );
  }
  return out;
}

function workloadRules(args: RuleArgs): AlertRule[] {
  const r = args.rules.podRestarts;
  if (!r.enabled) return [];
  return [
    rule(
      "podRestarts",
      r,
      args,
      `increase(kube_pod_container_status_restarts_total{job="kube-state-metrics"}[${r.window}]) > ${String(r.threshold)}`,
      "{{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) restarted {{ $value | humanize }} times",
      `Container {{ $labels.container }} of pod {{ $labels.pod }} in {{ $labels.namespace }} restarted more than ${String(r.threshold)} times within ${r.window}.`,
    ),
  ];
}

function stackRules(args: RuleArgs): AlertRule[] {
  const out: AlertRule[] = [];
  const ns = `namespace=~"${regexOf(args.stackNamespaces)}"`;
  const down = args.rules.componentDown;
  if (down.enabled) {
    out.push(
      rule(
        "componentDown",
        down,
        args,
        `up{${ns}} == 0`,
        "{{ $labels.job }} ({{ $labels.instance }}) in {{ $labels.namespace }} is down",
        `Prometheus could not scrape {{ $labels.instance }} of job {{ $labels.job }}, a part of the observability stack, for ${down.for}.`,
      ),
    );
  }
  const stalled = args.rules.ingestionStalled;
  if (stalled.enabled) {
    out.push(
      rule(
        "ingestionStalled",
        stalled,
        args,
        `sum by (namespace, pod) (rate(prometheus_tsdb_head_samples_appended_total{${ns}}[${stalled.window}])) <= 0`,
        "Prometheus {{ $labels.pod }} stores no samples",
        `Prometheus {{ $labels.pod }} in {{ $labels.namespace }} appended no samples to its TSDB for ${stalled.for}: metrics are not being ingested.`,
      ),
    );
  }
  const failing = args.rules.notificationsFailing;
  if (failing.enabled && args.alertmanagerEnabled) {
    out.push(
      rule(
        "notificationsFailing",
        failing,
        args,
        `sum by (namespace, integration) (rate(alertmanager_notifications_failed_total{${ns}}[${failing.window}])) > 0`,
        "Alertmanager fails to deliver notifications through {{ $labels.integration }}",
        `Alertmanager in {{ $labels.namespace }} failed to deliver notifications through {{ $labels.integration }} for ${failing.for}; alerts may not reach anyone.`,
      ),
    );
  }
  return out;
}

/** The stack's alert rules by group; a group without an enabled rule is left out. */
export function alertRuleGroups(args: RuleArgs): RuleGroup[] {
  return [
    { resource: "observability-service-alerts", name: "service-traffic", rules: serviceRules(args) },
    { resource: "observability-workload-alerts", name: "workloads", rules: workloadRules(args) },
    { resource: "observability-stack-alerts", name: "observability-stack", rules: stackRules(args) },
  ].filter((g) => g.rules.length > 0);
}

/** A PrometheusRule's spec for one group. */
export function prometheusRuleSpec(group: RuleGroup): Record<string, unknown> {
  return { groups: [{ name: group.name, rules: group.rules }] };
}
