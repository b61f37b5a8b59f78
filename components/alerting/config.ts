import { KeyDeclaration, ConfigProblem, Section, patterns } from "../kit";

export const SEVERITIES = ["critical", "warning", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** What every alert rule of the stack takes from config. */
export interface AlertRuleConfig {
  /** Evaluate the rule at all. Defaults to true. */
  enabled: boolean;
  /** How long the condition must hold before the alert fires (Prometheus duration). */
  for: string;
  /** The `severity` label, which routing and inhibition match on. */
  severity: Severity;
  /** The range the rate or increase is taken over (Prometheus duration). */
  window: string;
}

/** A rule that compares against a number. */
export interface ThresholdRuleConfig extends AlertRuleConfig {
  /** The value above which the rule fires; its unit depends on the rule. */
  threshold: number;
}

export interface AlertRulesConfig {
  /** The share of a service's requests answered with 5xx (Istio metrics); threshold is a ratio. */
  highErrorRate: ThresholdRuleConfig;
  /** A service's p99 request latency (Istio metrics); threshold in milliseconds. */
  highLatency: ThresholdRuleConfig;
  /** Container restarts within the window (kube-state-metrics); threshold is a count. */
  podRestarts: ThresholdRuleConfig;
  /** A scrape target of one of the stack's namespaces is down. */
  componentDown: AlertRuleConfig;
  /** Prometheus appends no samples: nothing is being ingested. */
  ingestionStalled: AlertRuleConfig;
  /** Alertmanager fails to deliver notifications. */
  notificationsFailing: AlertRuleConfig;
}

export type RuleName = keyof AlertRulesConfig;

export const RECEIVER_TYPES = ["slack", "pagerduty", "email"] as const;
export type ReceiverType = (typeof RECEIVER_TYPES)[number];

/** The receiver every stack has: it drops what it gets (the dev default). */
export const NULL_RECEIVER = "null";

interface ReceiverBase {
  /** Also notify when the alert resolves. Defaults to true. */
  sendResolved: boolean;
}
/** Slack; the webhook URL is the receiver's secret in `alertReceiverSecrets`. */
export interface SlackReceiver extends ReceiverBase {
  type: "slack";
  /** The channel, e.g. `#alerts`. Defaults to the webhook's own channel. */
  channel?: string;
}
/** PagerDuty Events API v2; the routing key is the receiver's secret. */
export interface PagerDutyReceiver extends ReceiverBase {
  type: "pagerduty";
}
/** E-mail through an SMTP relay; the SMTP password, when the relay needs one, is the receiver's secret. */
export interface EmailReceiver extends ReceiverBase {
  type: "email";
  to: string;
  from: string;
  /** `host:port` of the SMTP relay. */
  smarthost: string;
  /** The SMTP user. Defaults to none (an unauthenticated relay). */
  authUsername?: string;
  /** Require STARTTLS. Defaults to true. */
  requireTls: boolean;
}
export type ReceiverConfig = SlackReceiver | PagerDutyReceiver | EmailReceiver;

export const MATCH_TYPES = ["=", "!=", "=~", "!~"] as const;
export interface MatcherConfig {
  name: string;
  matchType: (typeof MATCH_TYPES)[number];
  value: string;
}

/** A route below the top one: alerts matching every matcher go to its receiver. */
export interface ChildRouteConfig {
  receiver: string;
  matchers: MatcherConfig[];
  /** Keep matching the routes after this one. Defaults to false. */
  continue: boolean;
}

export interface RouteConfig {
  /** Where alerts no child route takes go. Defaults to the null receiver. */
  receiver: string;
  /** Labels that make one notification group. Defaults to alertname, namespace. */
  groupBy: string[];
  /** Wait before the first notification of a group. Defaults to 30s. */
  groupWait: string;
  /** Wait before notifying about new alerts in a group. Defaults to 5m. */
  groupInterval: string;
  /** Wait before repeating a notification. Defaults to 12h. */
  repeatInterval: string;
  /** Child routes, in order. Defaults to none. */
  routes: ChildRouteConfig[];
}

export interface InhibitionConfig {
  /** Mute warnings while a critical alert with the same `equal` labels fires. Defaults to true. */
  enabled: boolean;
  /** Labels both alerts must share. Defaults to namespace, service. */
  equal: string[];
}

export interface AlertingConfig {
  /** Install the alert rules and, with Alertmanager, the routing. Defaults to true. */
  enabled: boolean;
  /** Where docs/runbooks.md is published; each alert links `<base>#<alert>`. Defaults to `docs/runbooks.md`. */
  runbookBaseUrl: string;
  rules: AlertRulesConfig;
  /** Receivers by name; `null` is built in. Defaults to none. */
  receivers: Record<string, ReceiverConfig>;
  route: RouteConfig;
  inhibition: InhibitionConfig;
}

/** The rules that compare against a number. */
type ThresholdRuleName = "highErrorRate" | "highLatency" | "podRestarts";

interface ThresholdSpec {
  fallback: number;
  what: string;
  valid: (n: number) => boolean;
}

/** Defaults of every rule; the seed's HighErrorRate is 5xx above 5% for 5 minutes. */
export const RULE_DEFAULTS: Readonly<Record<RuleName, { for: string; severity: Severity; window: string }>> =
  {
    highErrorRate: { for: "5m", severity: "critical", window: "5m" },
    highLatency: { for: "10m", severity: "warning", window: "5m" },
    podRestarts: { for: "5m", severity: "warning", window: "15m" },
    componentDown: { for: "5m", severity: "critical", window: "5m" },
    ingestionStalled: { for: "10m", severity: "critical", window: "5m" },
    notificationsFailing: { for: "15m", severity: "warning", window: "5m" },
  };

/** Default and valid range of each rule's threshold. */
const THRESHOLDS: Readonly<Record<ThresholdRuleName, ThresholdSpec>> = {
  highErrorRate: {
    fallback: 0.05,
    what: "a ratio above 0 and at most 1 (0.05 is 5%)",
    valid: (n) => n > 0 && n <= 1,
  },
  highLatency: { fallback: 1000, what: "a number of milliseconds above 0", valid: (n) => n > 0 },
  podRestarts: {
    fallback: 3,
    what: "a whole number of restarts of at least 1",
    valid: (n) => Number.isInteger(n) && n >= 1,
  },
};

const RECEIVER_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const MATCHER = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/;
const EMAIL = /^[^@\s,]+@[^@\s,]+(\s*,\s*[^@\s,]+@[^@\s,]+)*$/;
const HOST_PORT = /^[^\s:/]+:\d{1,5}$/;
const NUMBER = /^-?\d+(\.\d+)?$/;

function describe(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value !== null && typeof value === "object") return "an object";
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** A number, or a number written as text (`pulumi config set` stores text). */
function readNumber(s: Section, key: string, spec: ThresholdSpec): number {
  const v = s.raw(key);
  if (v === undefined) return spec.fallback;
  const n = typeof v === "string" && NUMBER.test(v) ? Number(v) : v;
  if (typeof n !== "number" || !Number.isFinite(n) || !spec.valid(n)) {
    s.problem(
      key,
      `must be ${spec.what}, got ${describe(v)}`,
      `set e.g. \`pulumi config set --path ${s.join(key)} ${String(spec.fallback)}\``,
    );
    return spec.fallback;
  }
  return n;
}

/** Milliseconds of a Prometheus duration already matched by patterns.DURATION. */
export function durationMs(d: string): number {
  const units: Record<string, number> = {
    y: 365 * 24 * 3600e3,
    w: 7 * 24 * 3600e3,
    d: 24 * 3600e3,
    h: 3600e3,
    m: 60e3,
    s: 1e3,
    ms: 1,
  };
  let total = 0;
  for (const m of d.matchAll(/(\d+)(ms|y|w|d|h|m|s)/g)) total += Number(m[1]) * (units[m[2] ?? ""] ?? 0);
  return total;
}

/** A duration that must be above zero: a range of `[0s]` or a zero repeat interval is an error. */
function positiveDuration(s: Section, key: string, fallback: string): string {
  const d = s.duration(key, fallback);
  if (patterns.DURATION.test(d) && durationMs(d) === 0) {
    s.problem(
      key,
      `must be longer than 0, got ${JSON.stringify(d)}`,
      `set e.g. \`pulumi config set --path ${s.join(key)} ${fallback}\``,
    );
    return fallback;
  }
  return d;
}

function stringList(
  s: Section,
  key: string,
  fallback: string[],
  item: { re: RegExp; what: string; example: string },
): string[] {
  const v = s.raw(key);
  if (v === undefined) return fallback;
  if (!Array.isArray(v)) {
    s.problem(
      key,
      `must be a list, got ${describe(v)}`,
      `set its items, e.g. \`pulumi config set --path '${s.join(key)}[0]' ${item.example}\``,
    );
    return fallback;
  }
  const out: string[] = [];
  v.forEach((x: unknown, i) => {
    if (typeof x !== "string" || !item.re.test(x)) {
      s.problem(
        `${key}[${i}]`,
        `must be ${item.what}, got ${describe(x)}`,
        `set e.g. \`pulumi config set --path '${s.join(key)}[${i}]' ${item.example}\``,
      );
    } else {
      out.push(x);
    }
  });
  return out;
}

function readRule(s: Section, name: RuleName): AlertRuleConfig {
  const d = RULE_DEFAULTS[name];
  const rule: AlertRuleConfig = {
    enabled: s.bool("enabled", true),
    for: s.duration("for", d.for),
    severity: s.oneOf("severity", SEVERITIES, d.severity) ?? d.severity,
    window: positiveDuration(s, "window", d.window),
  };
  s.done();
  return rule;
}

function readThresholdRule(s: Section, name: ThresholdRuleName): ThresholdRuleConfig {
  // Read before readRule's done(), so the field counts as known.
  const threshold = readNumber(s, "threshold", THRESHOLDS[name]);
  return { ...readRule(s, name), threshold };
}

function readRules(s: Section): AlertRulesConfig {
  const rules: AlertRulesConfig = {
    highErrorRate: readThresholdRule(s.child("highErrorRate"), "highErrorRate"),
    highLatency: readThresholdRule(s.child("highLatency"), "highLatency"),
    podRestarts: readThresholdRule(s.child("podRestarts"), "podRestarts"),
    componentDown: readRule(s.child("componentDown"), "componentDown"),
    ingestionStalled: readRule(s.child("ingestionStalled"), "ingestionStalled"),
    notificationsFailing: readRule(s.child("notificationsFailing"), "notificationsFailing"),
  };
  s.done();
  return rules;
}

function readReceiver(s: Section): ReceiverConfig | undefined {
  const type = s.oneOf("type", RECEIVER_TYPES, undefined);
  const sendResolved = s.bool("sendResolved", true);
  let receiver: ReceiverConfig | undefined;
  if (type === "slack") {
    const channel = s.optionalString("channel", {
      re: /^[#@]?[\w.-]+$/,
      what: "a Slack channel such as #alerts",
      example: "'#alerts'",
    });
    receiver = { type, sendResolved, ...(channel !== undefined ? { channel } : {}) };
  } else if (type === "pagerduty") {
    receiver = { type, sendResolved };
  } else if (type === "email") {
    const email = {
      re: EMAIL,
      what: "one or more e-mail addresses separated by commas",
      example: "oncall@example.org",
    };
    const to =
      s.raw("to") === undefined ? s.requiredString("to", email.example) : s.optionalString("to", email);
    const from =
      s.raw("from") === undefined
        ? s.requiredString("from", "alertmanager@example.org")
        : s.optionalString("from", email);
    const hostPort = { re: HOST_PORT, what: "host:port of an SMTP relay", example: "smtp.example.org:587" };
    const smarthost =
      s.raw("smarthost") === undefined
        ? s.requiredString("smarthost", hostPort.example)
        : s.optionalString("smarthost", hostPort);
    const authUsername = s.optionalString("authUsername");
    const requireTls = s.bool("requireTls", true);
    if (to !== undefined && from !== undefined && smarthost !== undefined) {
      receiver = {
        type,
        sendResolved,
        to,
        from,
        smarthost,
        requireTls,
        ...(authUsername !== undefined ? { authUsername } : {}),
      };
    }
  }
  s.done();
  return receiver;
}

/** Whether a receiver needs its secret in `alertReceiverSecrets`, and what that secret is. */
export function receiverSecret(r: ReceiverConfig): string | undefined {
  switch (r.type) {
    case "slack":
      return "the Slack webhook URL";
    case "pagerduty":
      return "the PagerDuty routing key";
    case "email":
      return r.authUsername !== undefined ? "the SMTP password" : undefined;
  }
}

function readMatchers(s: Section, key: string): MatcherConfig[] {
  const texts = stringList(s, key, [], {
    re: /./,
    what: "a matcher such as severity=critical",
    example: "severity=critical",
  });
  const matchers: MatcherConfig[] = [];
  texts.forEach((text, i) => {
    const m = MATCHER.exec(text);
    const value = (m?.[3] ?? "").replace(/^"(.*)"$/, "$1");
    const matchType = m?.[2] as MatcherConfig["matchType"] | undefined;
    let bad =
      m === null || matchType === undefined
        ? "is not label=value, label!=value, label=~regex or label!~regex"
        : undefined;
    if (bad === undefined && (matchType === "=~" || matchType === "!~")) {
      try {
        new RegExp(`^(?:${value})$`);
      } catch {
        bad = "has a regular expression that does not compile";
      }
    }
    if (bad !== undefined || m === null || matchType === undefined) {
      s.problem(
        `${key}[${i}]`,
        `${bad ?? ""}, got ${JSON.stringify(text)}`,
        `set e.g. \`pulumi config set --path '${s.join(key)}[${i}]' severity=critical\``,
      );
      return;
    }
    matchers.push({ name: m[1] ?? "", matchType, value });
  });
  return matchers;
}

function readRoute(s: Section, problems: ConfigProblem[]): RouteConfig {
  const receiver =
    s.optionalString("receiver", { re: /./, what: "a receiver name", example: NULL_RECEIVER }) ??
    NULL_RECEIVER;
  const label = { re: LABEL_NAME, what: "a label name", example: "alertname" };
  const route: RouteConfig = {
    receiver,
    groupBy: stringList(s, "groupBy", ["alertname", "namespace"], label),
    groupWait: s.duration("groupWait", "30s"),
    groupInterval: positiveDuration(s, "groupInterval", "5m"),
    repeatInterval: positiveDuration(s, "repeatInterval", "12h"),
    routes: [],
  };
  const raw = s.raw("routes");
  if (raw !== undefined && !Array.isArray(raw)) {
    s.problem(
      "routes",
      `must be a list, got ${describe(raw)}`,
      `set its items, e.g. \`pulumi config set --path '${s.join("routes")}[0].receiver' <receiver>\``,
    );
  } else if (Array.isArray(raw)) {
    raw.forEach((item: unknown, i) => {
      const r = new Section(`${s.join("routes")}[${i}]`, item, problems);
      const childReceiver = r.requiredString("receiver", "<receiver>");
      const matchers = readMatchers(r, "matchers");
      const cont = r.bool("continue", false);
      r.done();
      const given = r.raw("matchers");
      if (given === undefined || (Array.isArray(given) && given.length === 0)) {
        r.problem(
          "matchers",
          "is empty, so the route would take every alert and the routes after it none",
          `add one, e.g. \`pulumi config set --path '${r.join("matchers")}[0]' severity=critical\``,
        );
      }
      if (childReceiver !== undefined)
        route.routes.push({ receiver: childReceiver, matchers, continue: cont });
    });
  }
  s.done();
  return route;
}

/**
 * Reads `alerting`: rule thresholds and durations, receivers, the route tree and inhibition.
 * `secretReceivers` are the names under the secret key `alertReceiverSecrets`: a receiver that
 * needs a secret must have one there, and every secret must belong to a receiver.
 */
export function readAlerting(
  s: Section,
  secretReceivers: readonly string[],
  problems: ConfigProblem[],
): AlertingConfig {
  const enabled = s.bool("enabled", true);
  const runbookBaseUrl = s.string("runbookBaseUrl", "docs/runbooks.md").replace(/\/+$/, "");
  const rules = readRules(s.child("rules"));

  const receivers: Record<string, ReceiverConfig> = {};
  const receiverSection = s.child("receivers");
  for (const name of receiverSection.keys()) {
    const entry = receiverSection.child(name);
    if (name === NULL_RECEIVER) {
      receiverSection.problem(
        name,
        "is built in: it drops every alert",
        "remove it and route to `null` directly",
      );
      continue;
    }
    if (!RECEIVER_NAME.test(name)) {
      receiverSection.problem(
        name,
        "is not a usable receiver name: it becomes a Secret key",
        "use lower-case letters, digits and -, e.g. `oncall`",
      );
      continue;
    }
    const receiver = readReceiver(entry);
    if (receiver === undefined) continue;
    receivers[name] = receiver;
    const secret = receiverSecret(receiver);
    const hasSecret = secretReceivers.includes(name);
    if (secret !== undefined && !hasSecret) {
      problems.push({
        path: receiverSection.join(name),
        problem: `is a ${receiver.type} receiver but alertReceiverSecrets has no ${name} (${secret})`,
        fix: `set it with \`pulumi config set --secret --path alertReceiverSecrets.${name} <value>\``,
      });
    }
    if (secret === undefined && hasSecret) {
      problems.push({
        path: `alertReceiverSecrets.${name}`,
        problem: `is set but the ${receiver.type} receiver ${name} uses no secret (set alerting.receivers.${name}.authUsername for an SMTP login)`,
        fix: `remove it with \`pulumi config rm --path alertReceiverSecrets.${name}\``,
      });
    }
  }
  for (const name of secretReceivers) {
    if (!(name in receivers) && !receiverSection.has(name)) {
      problems.push({
        path: `alertReceiverSecrets.${name}`,
        problem: "names no receiver in alerting.receivers",
        fix: `add the receiver with \`pulumi config set --path alerting.receivers.${name}.type <${RECEIVER_TYPES.join("|")}>\`, or remove the secret with \`pulumi config rm --path alertReceiverSecrets.${name}\``,
      });
    }
  }

  const route = readRoute(s.child("route"), problems);
  const known = [NULL_RECEIVER, ...Object.keys(receivers)].sort();
  const checkReceiver = (path: string, name: string) => {
    if (!known.includes(name) && !receiverSection.has(name)) {
      problems.push({
        path,
        problem: `names unknown receiver ${JSON.stringify(name)}`,
        fix: `use one of ${known.join(", ")}, or define it under alerting.receivers.${name}`,
      });
    }
  };
  checkReceiver("alerting.route.receiver", route.receiver);
  route.routes.forEach((r, i) => {
    checkReceiver(`alerting.route.routes[${i}].receiver`, r.receiver);
  });

  const inh = s.child("inhibition");
  const inhibition: InhibitionConfig = {
    enabled: inh.bool("enabled", true),
    equal: stringList(inh, "equal", ["namespace", "service"], {
      re: LABEL_NAME,
      what: "a label name",
      example: "namespace",
    }),
  };
  inh.done();
  s.done();
  return { enabled, runbookBaseUrl, rules, receivers, route, inhibition };
}

/**
 * `alerting`: declared for Pulumi.yaml and docs/config.md (npm run gen) as a description; its fields are
 * still read by the hand-written reader in this file, and test/pulumi-yaml.test.ts checks that
 * the description names exactly the fields that reader knows.
 */
export const ALERTING_KEY: KeyDeclaration = {
  kind: "prose",
  description: [
    "Alert rules (PrometheusRules) and Alertmanager's routing (one AlertmanagerConfig).",
    "  alerting.enabled         Install the rules and, with Alertmanager, the routing. Default: true.",
    "  alerting.runbookBaseUrl  Where this repository's docs/runbooks.md is published; every alert's",
    "                           runbook_url is <base>#<alert name in lower case>. Default: docs/runbooks.md.",
    "  alerting.rules           Per rule: enabled (default true), for, severity (critical | warning | info),",
    "                           window (the range of its rate) and, where it has one, threshold.",
    "    alerting.rules.highErrorRate         5xx share of a service's requests (Istio). Default: threshold 0.05, window 5m, for 5m, critical.",
    "    alerting.rules.highLatency           p99 latency in milliseconds (Istio). Default: threshold 1000, window 5m, for 10m, warning.",
    "    alerting.rules.podRestarts           Container restarts within the window. Default: threshold 3, window 15m, for 5m, warning.",
    "    alerting.rules.componentDown         A scrape target in the stack's namespaces is down. Default: for 5m, critical.",
    "    alerting.rules.ingestionStalled      Prometheus appends no samples. Default: window 5m, for 10m, critical.",
    "    alerting.rules.notificationsFailing  Alertmanager fails to deliver. Default: window 5m, for 15m, warning.",
    "  alerting.receivers       Receivers by name; receivers[name].type is slack (channel), pagerduty or",
    "                           email (to, from, smarthost, authUsername, requireTls); every type takes",
    "                           sendResolved. The Slack webhook URL, PagerDuty routing key and SMTP password",
    "                           are secrets in alertReceiverSecrets. The receiver `null` is built in and drops",
    "                           alerts. Default: none.",
    "  alerting.route           The route tree.",
    "    alerting.route.receiver        Where alerts no child route takes go. Default: null (dropped).",
    "    alerting.route.groupBy         Labels of one notification group. Default: [alertname, namespace].",
    "    alerting.route.groupWait       Default: 30s.",
    "    alerting.route.groupInterval   Default: 5m.",
    "    alerting.route.repeatInterval  Default: 12h.",
    "    alerting.route.routes          Child routes in order, each {receiver, matchers (e.g. severity=critical,",
    '                                   namespace=~"team-.*"), continue}. Default: none.',
    "  alerting.inhibition      Warnings muted while a critical alert fires.",
    "    alerting.inhibition.enabled  Default: true.",
    "    alerting.inhibition.equal    Labels both alerts share. Default: [namespace, service].",
  ].join("\n"),
};

/** `alertReceiverSecrets`, a secret key: read as a secret Output, never as plain config. */
export const ALERT_RECEIVER_SECRETS_KEY: KeyDeclaration = {
  kind: "secret",
  description: [
    "The alert receivers' secrets, one per receiver that needs one (Slack webhook URL, PagerDuty",
    "routing key, SMTP password), set with",
    "`pulumi config set --secret --path 'alertReceiverSecrets.<receiver>' <value>`.",
    "They reach Alertmanager only through the Secret monitoring/alertmanager-receivers. Default: none.",
  ].join("\n"),
};
