import { Fields, Infer, KeyDeclaration, patterns, readFields, Section, setCommand } from "../kit";

/** Where the application teams' dashboard and rule files live, relative to the project directory. */
export const DEFAULT_SIGNALS_DIRECTORY = "signals";

export const MONITOR_KINDS = ["service", "pod"] as const;
export type MonitorKind = (typeof MONITOR_KINDS)[number];
export const SCHEMES = ["http", "https"] as const;

/** One scrape target of an application namespace: a ServiceMonitor or a PodMonitor. */
export interface ScrapeTargetConfig {
  /** The monitor's name within its namespace; the job Prometheus shows. */
  name: string;
  /** The application's namespace, where the Services or Pods are. */
  namespace: string;
  /** `service` (a ServiceMonitor) or `pod` (a PodMonitor). Defaults to service. */
  kind: MonitorKind;
  /** Labels the Services (or Pods) carry. */
  selector: Record<string, string>;
  /** The name of the Service port (or container port) that serves the metrics. */
  port: string;
  /** Defaults to /metrics. */
  path: string;
  /** Defaults to 30s. */
  interval: string;
  /** Defaults to http. */
  scheme: (typeof SCHEMES)[number];
}

/** good/total: two selectors of counters; the SLI is the share of good events. */
export interface RatioSli {
  type: "ratio";
  /** A selector of the counter of good events, e.g. `http_requests_total{job="shop",code!~"5.."}`. */
  good: string;
  /** A selector of the counter of all events, e.g. `http_requests_total{job="shop"}`. */
  total: string;
}

/** A latency SLI: the share of requests faster than a bucket boundary of a histogram. */
export interface LatencySli {
  type: "latency";
  /** A selector of the histogram's `_bucket` series, e.g. `http_request_duration_seconds_bucket{job="shop"}`. */
  histogram: string;
  /** The bucket boundary (`le`) in the histogram's unit: a request is good at or below it. */
  threshold: number;
}

export type SliConfig = RatioSli | LatencySli;

/** One service level objective. */
export interface SloConfig {
  /** Unique among the SLOs: names the rule group, the recording rules' `slo` label and the alerts. */
  name: string;
  /** The service the SLO belongs to (the alerts' `service` label). */
  service: string;
  /** The objective in percent, above 0 and below 100 (99.9). */
  objective: number;
  /** The compliance window: a whole number of days (28d or 30d). */
  window: string;
  sli: SliConfig;
  /** One sentence for the dashboard and the alerts. Defaults to none. */
  description?: string;
}

const NAME = {
  re: patterns.K8S_NAME,
  what: "a lower-case name of letters, digits and - (at most 63)",
  example: "shop",
};
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const PATH = /^\/[^\s?#]*$/;
/** A metric with optional matchers: what a counter or histogram selector is. */
export const SELECTOR = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{(.*)\})?$/s;

export const SIGNALS_FIELDS = {
  enabled: {
    kind: "boolean",
    default: true,
    description:
      "Ship the dashboards and rules from signals.directory, the scrape targets and the SLOs (needs Prometheus; the dashboards also Grafana).",
  },
  directory: {
    kind: "string",
    default: DEFAULT_SIGNALS_DIRECTORY,
    format: {
      re: /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/,
      what: "a relative path inside the project of letters, digits, ., _, - and /",
      example: DEFAULT_SIGNALS_DIRECTORY,
    },
    description:
      "The folder, relative to the project, whose dashboards/<Grafana folder>/<name>.json files become dashboards and whose *.rules.yaml files (anywhere below it) become PrometheusRules (docs/your-own-signals.md). A missing folder ships nothing.",
  },
  sloFolder: {
    kind: "string",
    default: "SLOs",
    format: {
      re: /^[A-Za-z0-9][A-Za-z0-9 _-]{0,62}$/,
      what: "a folder name of at most 63 ASCII letters, digits, spaces, - and _",
      example: "SLOs",
    },
    description: "The Grafana folder of the error-budget dashboard.",
  },
  scrapeTargets: {
    kind: "custom",
    type: "list of {name, namespace, kind, selector, port, path, interval, scheme}",
    defaultText: "none",
    description:
      "Scrape targets of application namespaces, each a ServiceMonitor (kind service, default) or PodMonitor (kind pod) in the monitoring namespace that selects the Services or Pods of `namespace` by the labels in `selector` and scrapes the named `port` at `path` (default /metrics) every `interval` (default 30s) over `scheme` (http or https, default http).",
  },
  slos: {
    kind: "custom",
    type: "list of {name, service, objective, window, sli, description}",
    defaultText: "none",
    description:
      "Service level objectives: `objective` in percent (99.9), `window` in whole days (28d or 30d), and `sli` either {good, total} (selectors of counters) or {latency: {histogram, threshold}} (a selector of a histogram's _bucket series and a bucket boundary). Each becomes recording rules, multi-window multi-burn-rate alerts (page at 14.4x over 1h and 5m or 6x over 6h and 30m; ticket at 3x over 1d and 2h or 1x over 3d and 6h) and a row of the error-budget dashboard.",
  },
} as const satisfies Fields;

export type SignalsConfig = Infer<typeof SIGNALS_FIELDS> & {
  /** Defaults to none. */
  scrapeTargets: ScrapeTargetConfig[];
  /** Defaults to none. */
  slos: SloConfig[];
};

/** `signals`, declared once: Pulumi.yaml and docs/config.md (npm run gen) come from this. */
export const SIGNALS_KEY: KeyDeclaration = {
  kind: "object",
  description:
    "Your own signals: dashboard and rule files from a folder, scrape targets of application namespaces, and SLOs (docs/your-own-signals.md).",
  fields: SIGNALS_FIELDS,
};

/** A `{label: value}` map of Kubernetes label selectors. */
function readSelector(s: Section, key: string): Record<string, string> {
  const raw = s.raw(key);
  if (raw === undefined) {
    s.problem(
      key,
      "is required but not set",
      `set the labels to select, e.g. \`${setCommand(s.join(`${key}.app`), "shop")}\``,
    );
    return {};
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw) || Object.keys(raw).length === 0) {
    s.problem(
      key,
      "must be a non-empty map of label names to values",
      `set the labels to select, e.g. \`${setCommand(s.join(`${key}.app`), "shop")}\``,
    );
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(k)) {
      s.problem(
        `${key}.${k}`,
        "is not a Kubernetes label name",
        "use a label the Services or Pods carry, e.g. app",
      );
    } else if (typeof v !== "string" || !/^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/.test(v)) {
      s.problem(
        `${key}.${k}`,
        `must be a Kubernetes label value, got ${JSON.stringify(v)}`,
        `set e.g. \`${setCommand(s.join(`${key}.${k}`), "shop")}\``,
      );
    } else {
      out[k] = v;
    }
  }
  return out;
}

function readScrapeTarget(s: Section): ScrapeTargetConfig {
  const name = s.requiredString("name", "shop");
  const namespace = s.requiredString("namespace", "shop");
  for (const [key, value] of [
    ["name", name],
    ["namespace", namespace],
  ] as const) {
    if (value !== undefined && !NAME.re.test(value)) {
      s.problem(
        key,
        `must be ${NAME.what}, got ${JSON.stringify(value)}`,
        `set e.g. \`${setCommand(s.join(key), NAME.example)}\``,
      );
    }
  }
  const kind = s.oneOf("kind", MONITOR_KINDS, "service") ?? "service";
  const selector = readSelector(s, "selector");
  const port =
    s.raw("port") === undefined
      ? (s.requiredString("port", "http-metrics") ?? "")
      : (s.optionalString("port", {
          re: PORT_NAME,
          what: "the name of a port (lower-case letters, digits and -), not its number",
          example: "http-metrics",
        }) ?? "");
  const path =
    s.optionalString("path", {
      re: PATH,
      what: "an absolute URL path such as /metrics",
      example: "/metrics",
    }) ?? "/metrics";
  const interval = s.positiveDuration("interval", "30s");
  const scheme = s.oneOf("scheme", SCHEMES, "http") ?? "http";
  s.done();
  return { name: name ?? "", namespace: namespace ?? "", kind, selector, port, path, interval, scheme };
}

/** Objective in percent: above 0 and below 100. */
function readObjective(s: Section): number {
  const raw = s.raw("objective");
  const fix = `set e.g. \`${setCommand(s.join("objective"), "99.9")}\` (percent)`;
  if (raw === undefined) {
    s.problem("objective", "is required but not set", fix);
    return 99;
  }
  const n = typeof raw === "string" && /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  if (typeof n !== "number" || !Number.isFinite(n)) {
    s.problem("objective", `must be a percentage such as 99.9, got ${JSON.stringify(raw)}`, fix);
    return 99;
  }
  if (n >= 100) {
    s.problem(
      "objective",
      `is ${String(n)}%, but an objective of 100% or above leaves no error budget, so every error would page`,
      `set one below 100, e.g. \`${setCommand(s.join("objective"), "99.9")}\``,
    );
    return 99;
  }
  if (n <= 0) {
    s.problem("objective", `must be above 0%, got ${String(n)}`, fix);
    return 99;
  }
  if (n < 1) {
    // 0.999 for 99.9 %: the objective is in percent.
    s.problem(
      "objective",
      `is ${String(n)}%, which reads like a ratio, but the objective is in percent`,
      `did you mean ${String(Math.round(n * 1e6) / 1e4)}? ${fix}`,
    );
    return 99;
  }
  return n;
}

function readWindow(s: Section): string {
  const raw = s.raw("window");
  const fix = `set \`${setCommand(s.join("window"), "30d")}\` (or 28d, four whole weeks)`;
  if (raw === undefined) {
    s.problem("window", "is required but not set", fix);
    return "30d";
  }
  const m = typeof raw === "string" ? /^(\d+)d$/.exec(raw) : null;
  if (m === null) {
    s.problem("window", `must be a whole number of days such as 28d or 30d, got ${JSON.stringify(raw)}`, fix);
    return "30d";
  }
  const days = Number(m[1]);
  // The slowest alert looks back 3 days; a window shorter than a week makes its budget meaningless.
  if (days < 7 || days > 90) {
    s.problem("window", `must be from 7d to 90d, got ${JSON.stringify(raw)}`, fix);
    return "30d";
  }
  return raw as string;
}

function readSelectorText(s: Section, key: string, example: string): string | undefined {
  const v = s.requiredString(key, `'${example}'`);
  if (v === undefined) return undefined;
  if (!SELECTOR.test(v.trim())) {
    s.problem(
      key,
      `must be a series selector (a metric name with optional {label matchers}), got ${JSON.stringify(v)}`,
      `set e.g. \`${setCommand(s.join(key), `'${example}'`)}\``,
    );
    return undefined;
  }
  return v.trim();
}

function readSli(s: Section): SliConfig | undefined {
  if (!s.isSet) {
    s.problemAt(
      s.path,
      "is required but not set",
      `set either good and total, e.g. \`${setCommand(`${s.path}.total`, "'http_requests_total{job=\"shop\"}'")}\`, or latency.histogram and latency.threshold`,
    );
    s.done();
    return undefined;
  }
  if (s.has("latency")) {
    const l = s.child("latency");
    const histogram = readSelectorText(l, "histogram", 'http_request_duration_seconds_bucket{job="shop"}');
    if (histogram !== undefined) {
      const metric = SELECTOR.exec(histogram)?.[1] ?? "";
      if (!metric.endsWith("_bucket")) {
        l.problem(
          "histogram",
          `selects ${metric}, which is not a histogram's _bucket series, so it has no le buckets to count fast requests with`,
          `select the histogram's buckets, e.g. \`${setCommand(l.join("histogram"), `'${metric.replace(/(_count|_sum|_total)?$/, "_bucket")}{...}'`)}\``,
        );
      } else if (/(^|[{,\s])le\s*(=|!=|=~|!~)/.test(SELECTOR.exec(histogram)?.[3] ?? "")) {
        l.problem(
          "histogram",
          "has an le matcher, but the SLO picks the buckets itself",
          "drop le from the selector and set latency.threshold",
        );
      }
    }
    const threshold = l.number("threshold", 0, {
      what: "a bucket boundary above 0 in the histogram's unit (0.3 for 300 ms in seconds)",
      valid: (n) => n > 0,
      example: "0.3",
    });
    if (!l.has("threshold"))
      l.problem(
        "threshold",
        "is required but not set",
        `set the le bucket boundary, e.g. \`${setCommand(l.join("threshold"), "0.3")}\``,
      );
    l.done();
    for (const k of ["good", "total"]) {
      if (s.has(k))
        s.problem(k, "is set together with latency", "an SLI is either good/total or latency: remove one");
      s.raw(k);
    }
    s.done();
    return histogram !== undefined && threshold > 0 ? { type: "latency", histogram, threshold } : undefined;
  }
  const good = readSelectorText(s, "good", 'http_requests_total{job="shop",code!~"5.."}');
  const total = readSelectorText(s, "total", 'http_requests_total{job="shop"}');
  s.done();
  return good !== undefined && total !== undefined ? { type: "ratio", good, total } : undefined;
}

function readSlo(s: Section): SloConfig | undefined {
  const name = s.requiredString("name", "shop-availability");
  if (name !== undefined && !NAME.re.test(name)) {
    s.problem(
      "name",
      `must be ${NAME.what}, got ${JSON.stringify(name)}`,
      `set e.g. \`${setCommand(s.join("name"), "shop-availability")}\``,
    );
  }
  const service = s.requiredString("service", "shop");
  if (service !== undefined && !/^[A-Za-z0-9._-]+$/.test(service)) {
    s.problem(
      "service",
      `must be letters, digits, ., _ and -, got ${JSON.stringify(service)}`,
      `set e.g. \`${setCommand(s.join("service"), "shop")}\``,
    );
  }
  const objective = readObjective(s);
  const window = readWindow(s);
  const sli = readSli(s.child("sli"));
  const description = s.optionalString("description");
  s.done();
  if (name === undefined || service === undefined || sli === undefined) return undefined;
  return { name, service, objective, window, sli, ...(description !== undefined ? { description } : {}) };
}

/** Reads `signals`: where the files are, the scrape targets and the SLOs. */
export function readSignals(s: Section): SignalsConfig {
  const scrapeTargets: ScrapeTargetConfig[] = [];
  const slos: SloConfig[] = [];
  const read = readFields(s, SIGNALS_FIELDS, {
    readers: {
      scrapeTargets: (sec, key) => {
        const seen = new Map<string, number>();
        sec.items(key).forEach((item, i) => {
          const t = readScrapeTarget(item);
          const id = `${t.namespace}/${t.name}`;
          const first = seen.get(id);
          if (first !== undefined) {
            item.problemAt(
              `${sec.join(key)}[${i}].name`,
              `repeats ${JSON.stringify(t.name)} in namespace ${t.namespace} (also at [${first}])`,
              "give each scrape target of a namespace its own name",
            );
          } else {
            seen.set(id, i);
            scrapeTargets.push(t);
          }
        });
      },
      slos: (sec, key) => {
        const seen = new Map<string, number>();
        sec.items(key).forEach((item, i) => {
          const slo = readSlo(item);
          if (slo === undefined) return;
          const first = seen.get(slo.name);
          if (first !== undefined) {
            item.problemAt(
              `${sec.join(key)}[${i}].name`,
              `repeats ${JSON.stringify(slo.name)} (also at [${first}])`,
              "give each SLO its own name",
            );
          } else {
            seen.set(slo.name, i);
            slos.push(slo);
          }
        });
      },
    },
  });
  return { ...read, scrapeTargets, slos };
}

/** True for a Prometheus label name. */
export function isLabelName(name: string): boolean {
  return LABEL_NAME.test(name);
}
