import { AlertingConfig, MatcherConfig, NULL_RECEIVER, ReceiverConfig, receiverSecret } from "./config";

/** The AlertmanagerConfig that is Alertmanager's whole configuration (alertmanagerConfiguration). */
export const ROUTING_CONFIG_NAME = "observability-routing";
/** The Secret that holds the receivers' URLs, keys and passwords, one key per receiver. */
export const RECEIVER_SECRET_NAME = "alertmanager-receivers";
/**
 * Marks the global AlertmanagerConfig, so Alertmanager's selector of namespaced configs can leave
 * it out: selected as well, it would be merged a second time as a namespace-scoped sub-route.
 */
export const GLOBAL_CONFIG_LABEL = {
  key: "observability-stack/alertmanager-config",
  value: "global",
} as const;

/** Alertmanager routing is on when alerting is on and Alertmanager runs. */
export function routingEnabled(config: {
  prometheus: { enabled: boolean };
  alertmanager: { enabled: boolean };
  alerting: AlertingConfig;
}): boolean {
  return config.prometheus.enabled && config.alertmanager.enabled && config.alerting.enabled;
}

/** The receivers whose secret the receiver Secret must hold, in a stable order. */
export function receiversWithSecrets(alerting: AlertingConfig): string[] {
  return Object.entries(alerting.receivers)
    .filter(([, r]) => receiverSecret(r) !== undefined)
    .map(([name]) => name)
    .sort();
}

function matcher(m: MatcherConfig): Record<string, string> {
  return { name: m.name, value: m.value, matchType: m.matchType };
}

const eq = (name: string, value: string): Record<string, string> => ({ name, value, matchType: "=" });

/** Notification text: what fires, where, and the runbook, for every alert of the group. */
const SLACK_TEXT =
  "{{ range .Alerts }}*{{ .Annotations.summary }}*\n{{ .Annotations.description }}\nRunbook: {{ .Annotations.runbook_url }}\n{{ end }}";

function receiverJson(name: string, r: ReceiverConfig, secretName: string): Record<string, unknown> {
  const secretRef = { name: secretName, key: name };
  switch (r.type) {
    case "slack":
      return {
        name,
        slackConfigs: [
          {
            apiURL: secretRef,
            sendResolved: r.sendResolved,
            ...(r.channel !== undefined ? { channel: r.channel } : {}),
            title: "[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} ({{ .Alerts | len }})",
            text: SLACK_TEXT,
          },
        ],
      };
    case "pagerduty":
      return {
        name,
        pagerdutyConfigs: [
          {
            routingKey: secretRef,
            sendResolved: r.sendResolved,
            // PagerDuty knows critical, error, warning and info; the rules use three of them.
            severity:
              "{{ if .CommonLabels.severity }}{{ .CommonLabels.severity }}{{ else }}critical{{ end }}",
            description: "{{ .CommonAnnotations.summary }}",
          },
        ],
      };
    case "email":
      return {
        name,
        emailConfigs: [
          {
            to: r.to,
            from: r.from,
            smarthost: r.smarthost,
            requireTLS: r.requireTls,
            sendResolved: r.sendResolved,
            ...(r.authUsername !== undefined
              ? { authUsername: r.authUsername, authPassword: secretRef }
              : {}),
          },
        ],
      };
  }
}

/**
 * The spec of the AlertmanagerConfig that Alertmanager uses as its whole configuration: the
 * configured receivers plus the built-in null receiver, the route tree (kube-prometheus-stack's
 * always-firing Watchdog and InfoInhibitor go to null first), and warnings muted while a critical
 * alert with the same labels fires. Secrets are referenced by key, never copied.
 */
export function alertmanagerConfigSpec(
  alerting: AlertingConfig,
  secretName = RECEIVER_SECRET_NAME,
): Record<string, unknown> {
  const { route } = alerting;
  return {
    route: {
      receiver: route.receiver,
      groupBy: route.groupBy,
      groupWait: route.groupWait,
      groupInterval: route.groupInterval,
      repeatInterval: route.repeatInterval,
      routes: [
        { receiver: NULL_RECEIVER, matchers: [eq("alertname", "Watchdog")] },
        { receiver: NULL_RECEIVER, matchers: [eq("alertname", "InfoInhibitor")] },
        ...route.routes.map((r) => ({
          receiver: r.receiver,
          matchers: r.matchers.map(matcher),
          ...(r.continue ? { continue: true } : {}),
        })),
      ],
    },
    receivers: [
      { name: NULL_RECEIVER },
      ...Object.entries(alerting.receivers).map(([name, r]) => receiverJson(name, r, secretName)),
    ],
    inhibitRules: alerting.inhibition.enabled
      ? [
          {
            sourceMatch: [eq("severity", "critical")],
            targetMatch: [eq("severity", "warning")],
            equal: alerting.inhibition.equal,
          },
        ]
      : [],
  };
}
