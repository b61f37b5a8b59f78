import {
  ConfigProblem,
  Fields,
  GroupField,
  Infer,
  KeyDeclaration,
  NumberField,
  readFields,
  Section,
} from "../kit";

export const SEVERITIES = ["critical", "warning", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

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

const RECEIVER_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

interface RuleDefaults {
  for: string;
  severity: Severity;
  window: string;
}

/** The fields every rule has, with that rule's defaults. */
function ruleFields(d: RuleDefaults, window = "The range the rate or increase is taken over.") {
  return {
    enabled: { kind: "boolean", default: true, description: "Evaluate the rule at all." },
    for: {
      kind: "string",
      format: "duration",
      default: d.for,
      description: "How long the condition must hold before the alert fires.",
    },
    severity: {
      kind: "enum",
      values: SEVERITIES,
      default: d.severity,
      description: "The severity label, which routing and inhibition match on.",
    },
    window: {
      kind: "string",
      format: "duration",
      aboveZero: true,
      default: d.window,
      description: window,
    },
  } as const satisfies Fields;
}

function rule(description: string, d: RuleDefaults, window?: string) {
  return { kind: "group", description, fields: ruleFields(d, window) } as const satisfies GroupField;
}

/** A rule that compares against a number; it reads its threshold first. */
function thresholdRule(description: string, d: RuleDefaults, threshold: Omit<NumberField, "kind">) {
  return {
    kind: "group",
    description,
    fields: { threshold: { kind: "number", ...threshold }, ...ruleFields(d) },
  } as const satisfies GroupField;
}

/** Every rule of the stack, with its defaults; the seed's HighErrorRate is 5xx above 5% for 5 minutes. */
const RULES_FIELDS = {
  highErrorRate: thresholdRule(
    "The share of a service's requests answered with 5xx (Istio metrics).",
    { for: "5m", severity: "critical", window: "5m" },
    {
      default: 0.05,
      min: 0,
      aboveMin: true,
      max: 1,
      what: "a ratio above 0 and at most 1 (0.05 is 5%)",
      description: "The share of 5xx answers above which the rule fires.",
    },
  ),
  highLatency: thresholdRule(
    "A service's p99 request latency (Istio metrics).",
    { for: "10m", severity: "warning", window: "5m" },
    {
      default: 1000,
      min: 0,
      aboveMin: true,
      what: "a number of milliseconds above 0",
      description: "The p99 latency in milliseconds above which the rule fires.",
    },
  ),
  podRestarts: thresholdRule(
    "Container restarts within the window (kube-state-metrics).",
    { for: "5m", severity: "warning", window: "15m" },
    {
      default: 3,
      min: 1,
      whole: true,
      what: "a whole number of restarts of at least 1",
      description: "The restarts of one container within the window above which the rule fires.",
    },
  ),
  componentDown: rule(
    "A scrape target of one of the stack's namespaces is down.",
    { for: "5m", severity: "critical", window: "5m" },
    // Read and checked like every rule's, but `up == 0` takes no range.
    "Not used: this rule takes no range.",
  ),
  ingestionStalled: rule("Prometheus appends no samples: nothing is being ingested.", {
    for: "10m",
    severity: "critical",
    window: "5m",
  }),
  notificationsFailing: rule("Alertmanager fails to deliver notifications.", {
    for: "15m",
    severity: "warning",
    window: "5m",
  }),
} as const satisfies Fields;

const LABELS_TYPE = "list of label names";

export const ALERTING_FIELDS = {
  enabled: {
    kind: "boolean",
    default: true,
    description: "Install the rules and, with Alertmanager, the routing.",
  },
  runbookBaseUrl: {
    kind: "string",
    default: "docs/runbooks.md",
    description:
      "Where this repository's docs/runbooks.md is published; every alert's runbook_url is <base>#<alert name in lower case> (a trailing / is dropped).",
  },
  rules: {
    kind: "group",
    description: "The alert rules (PrometheusRules), each with its own thresholds and durations.",
    fields: RULES_FIELDS,
  },
  receivers: {
    kind: "custom",
    type: "map of {type, sendResolved, channel, to, from, smarthost, authUsername, requireTls}",
    defaultText: "none",
    description:
      "Receivers by name (lower-case letters, digits and -). Each has type slack (channel), pagerduty or email (to, from, smarthost required; authUsername; requireTls, default true); every type takes sendResolved (default true). The Slack webhook URL, PagerDuty routing key and SMTP password are secrets in alertReceiverSecrets. The receiver `null` is built in and drops alerts.",
  },
  route: {
    kind: "group",
    description: "The route tree of Alertmanager's routing (one AlertmanagerConfig).",
    fields: {
      receiver: {
        kind: "string",
        format: { re: /./, what: "a receiver name", example: NULL_RECEIVER },
        default: NULL_RECEIVER,
        description: "Where alerts no child route takes go (null drops them).",
      },
      groupBy: {
        kind: "custom",
        type: LABELS_TYPE,
        defaultText: "[alertname, namespace]",
        description: "Labels that make one notification group.",
      },
      groupWait: {
        kind: "string",
        format: "duration",
        default: "30s",
        description: "Wait before the first notification of a group.",
      },
      groupInterval: {
        kind: "string",
        format: "duration",
        aboveZero: true,
        default: "5m",
        description: "Wait before notifying about new alerts in a group.",
      },
      repeatInterval: {
        kind: "string",
        format: "duration",
        aboveZero: true,
        default: "12h",
        description: "Wait before repeating a notification.",
      },
      routes: {
        kind: "custom",
        type: "list of {receiver, matchers, continue}",
        defaultText: "none",
        description:
          'Child routes, in order: alerts matching every matcher (e.g. severity=critical, namespace=~"team-.*"; at least one) go to the receiver (required); continue (default false) keeps matching the routes after it.',
      },
    },
  },
  inhibition: {
    kind: "group",
    description: "Warnings muted while a critical alert fires.",
    fields: {
      enabled: {
        kind: "boolean",
        default: true,
        description: "Mute warnings while a critical alert with the same equal labels fires.",
      },
      equal: {
        kind: "custom",
        type: LABELS_TYPE,
        defaultText: "[namespace, service]",
        description: "Labels both alerts must share.",
      },
    },
  },
} as const satisfies Fields;

type ReadAlerting = Infer<typeof ALERTING_FIELDS>;

/** What every alert rule of the stack takes from config. */
export type AlertRuleConfig = Infer<ReturnType<typeof ruleFields>>;
/** A rule that compares against a number; its unit depends on the rule. */
export type ThresholdRuleConfig = AlertRuleConfig & { threshold: number };
export type AlertRulesConfig = ReadAlerting["rules"];
export type RuleName = keyof AlertRulesConfig;

export type RouteConfig = ReadAlerting["route"] & {
  /** Labels that make one notification group. Defaults to alertname, namespace. */
  groupBy: string[];
  /** Child routes, in order. Defaults to none. */
  routes: ChildRouteConfig[];
};

export type InhibitionConfig = ReadAlerting["inhibition"] & {
  /** Labels both alerts must share. Defaults to namespace, service. */
  equal: string[];
};

export type AlertingConfig = Omit<ReadAlerting, "route" | "inhibition"> & {
  /** Receivers by name; `null` is built in. Defaults to none. */
  receivers: Record<string, ReceiverConfig>;
  route: RouteConfig;
  inhibition: InhibitionConfig;
};

/** `alerting`, declared once: Pulumi.yaml and docs/config.md (npm run gen) come from this. */
export const ALERTING_KEY: KeyDeclaration = {
  kind: "object",
  description: "Alert rules (PrometheusRules) and Alertmanager's routing (one AlertmanagerConfig).",
  fields: ALERTING_FIELDS,
};

const MATCHER = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/;
const EMAIL = /^[^@\s,]+@[^@\s,]+(\s*,\s*[^@\s,]+@[^@\s,]+)*$/;
const HOST_PORT = /^[^\s:/]+:\d{1,5}$/;

function describe(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value !== null && typeof value === "object") return "an object";
  return typeof value === "string" ? JSON.stringify(value) : String(value);
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

/** `route.routes`: each child route's receiver, matchers and continue. */
function readChildRoutes(s: Section, key: string, problems: ConfigProblem[]): ChildRouteConfig[] {
  const routes: ChildRouteConfig[] = [];
  const raw = s.raw(key);
  if (raw !== undefined && !Array.isArray(raw)) {
    s.problem(
      key,
      `must be a list, got ${describe(raw)}`,
      `set its items, e.g. \`pulumi config set --path '${s.join(key)}[0].receiver' <receiver>\``,
    );
  } else if (Array.isArray(raw)) {
    raw.forEach((item: unknown, i) => {
      const r = new Section(`${s.join(key)}[${i}]`, item, problems);
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
      if (childReceiver !== undefined) routes.push({ receiver: childReceiver, matchers, continue: cont });
    });
  }
  return routes;
}

/** `receivers`: each receiver by name, and whether its secret is where it must be. */
function readReceivers(
  receiverSection: Section,
  secretReceivers: readonly string[],
  problems: ConfigProblem[],
): Record<string, ReceiverConfig> {
  const receivers: Record<string, ReceiverConfig> = {};
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
  return receivers;
}

/**
 * Reads `alerting` as ALERTING_FIELDS declares it; receivers, label lists and child routes have
 * their own readers. `secretReceivers` are the names under the secret key `alertReceiverSecrets`:
 * a receiver that needs a secret must have one there, and every secret must belong to a receiver.
 */
export function readAlerting(
  s: Section,
  secretReceivers: readonly string[],
  problems: ConfigProblem[],
): AlertingConfig {
  let receiverSection: Section | undefined;
  let receivers: Record<string, ReceiverConfig> = {};
  let groupBy: string[] = ["alertname", "namespace"];
  let routes: ChildRouteConfig[] = [];
  let equal: string[] = ["namespace", "service"];
  const read = readFields(s, ALERTING_FIELDS, {
    readers: {
      receivers: (a, key) => {
        receiverSection = a.child(key);
        receivers = readReceivers(receiverSection, secretReceivers, problems);
      },
      "route.groupBy": (r, key) => {
        groupBy = stringList(r, key, groupBy, { re: LABEL_NAME, what: "a label name", example: "alertname" });
      },
      "route.routes": (r, key) => {
        routes = readChildRoutes(r, key, problems);
      },
      "inhibition.equal": (i, key) => {
        equal = stringList(i, key, equal, { re: LABEL_NAME, what: "a label name", example: "namespace" });
      },
    },
    checks: {
      // Every receiver a route names must exist, once the route tree is read.
      route: (_a, _key, value) => {
        const known = [NULL_RECEIVER, ...Object.keys(receivers)].sort();
        const check = (path: string, name: string) => {
          if (!known.includes(name) && receiverSection?.has(name) !== true) {
            problems.push({
              path,
              problem: `names unknown receiver ${JSON.stringify(name)}`,
              fix: `use one of ${known.join(", ")}, or define it under alerting.receivers.${name}`,
            });
          }
        };
        check("alerting.route.receiver", (value as ReadAlerting["route"]).receiver);
        routes.forEach((r, i) => {
          check(`alerting.route.routes[${i}].receiver`, r.receiver);
        });
      },
    },
  });
  return {
    ...read,
    runbookBaseUrl: read.runbookBaseUrl.replace(/\/+$/, ""),
    receivers,
    route: { ...read.route, groupBy, routes },
    inhibition: { ...read.inhibition, equal },
  };
}

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
