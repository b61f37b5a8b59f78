import { expect } from "chai";
import { projectDashboards, PROMETHEUS_DATASOURCE_UID } from "../components/grafana";
import { ConfigError, ConfigProblem, Section } from "../components/kit";
import {
  BURN_ALERTS,
  checkDashboardFile,
  checkRuleFile,
  errorRatioRecord,
  projectRoot,
  promqlSyntaxError,
  readSignalFiles,
  readSignals,
  scrapeTargetMonitor,
  SignalFiles,
  SignalsConfig,
  SignalsFileError,
  signalsPlan,
  SLO_DASHBOARD_UID,
  sloPromtoolTests,
  sloRuleGroup,
  stackSignals,
} from "../components/signals";
import { validateCustomResource } from "./lib/crd-schema";
import { PROJECT_DIR } from "./lib/helpers";
import { exampleSignalsRaw } from "./lib/signals";
import { requireUpstream } from "./lib/upstream";

/** readSignals on a raw value; throws the ConfigError parseStackConfig would. */
function read(raw: unknown): SignalsConfig {
  const problems: ConfigProblem[] = [];
  const config = readSignals(new Section("signals", raw, problems));
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function problemsOf(raw: unknown): string {
  try {
    read(raw);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected a ConfigError");
}

const DATASOURCES = [
  { uid: PROMETHEUS_DATASOURCE_UID, type: "prometheus" },
  { uid: "alertmanager", type: "alertmanager" },
  { uid: "loki", type: "loki" },
];
const NO_FILES: SignalFiles = { dashboards: [], rules: [], problems: [] };

function planArgs(config: SignalsConfig, files: SignalFiles) {
  return {
    config,
    files,
    namespace: "monitoring",
    grafana: true,
    datasources: DATASOURCES,
    takenUids: new Map([["observability-service-overview", "the project's Service overview"]]),
  };
}

/** The message signalsPlan throws for these files. */
function fileError(files: Partial<SignalFiles>): string {
  try {
    signalsPlan(planArgs(read({}), { ...NO_FILES, ...files }));
  } catch (err) {
    expect(err).to.be.instanceOf(SignalsFileError);
    return (err as Error).message;
  }
  throw new Error("expected a SignalsFileError");
}

const dashboard = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    uid: "shop-x",
    title: "Shop",
    panels: [{ type: "timeseries", datasource: { type: "prometheus", uid: "prometheus" }, targets: [] }],
    ...over,
  });
const dashFile = (text: string, name = "x") => ({
  file: `signals/dashboards/Shop/${name}.json`,
  folder: "Shop",
  name,
  text,
});
const ruleFile = (text: string) => ({
  file: "signals/rules/shop.rules.yaml",
  relative: "rules/shop.rules.yaml",
  text,
});

describe("signals: config", () => {
  it("reads the example shop's scrape target and SLOs with their defaults", () => {
    const c = read(exampleSignalsRaw());
    expect(c.directory).to.equal("examples/shop");
    expect(c.scrapeTargets).to.deep.equal([
      {
        name: "shop",
        namespace: "shop",
        kind: "service",
        selector: { "app.kubernetes.io/name": "shop" },
        port: "http-metrics",
        path: "/metrics",
        interval: "30s",
        scheme: "http",
      },
    ]);
    expect(c.slos.map((s) => [s.name, s.objective, s.window, s.sli.type])).to.deep.equal([
      ["shop-availability", 99.9, "30d", "ratio"],
      ["shop-latency", 99, "28d", "latency"],
    ]);
  });

  it("defaults to the signals folder, no targets and no SLOs", () => {
    expect(read(undefined)).to.deep.equal({
      enabled: true,
      directory: "signals",
      sloFolder: "SLOs",
      scrapeTargets: [],
      slos: [],
    });
  });

  const slo = (over: Record<string, unknown>) => ({
    slos: [
      {
        name: "shop-availability",
        service: "shop",
        objective: 99.9,
        window: "30d",
        sli: { good: 'http_requests_total{code!~"5.."}', total: "http_requests_total" },
        ...over,
      },
    ],
  });

  it("refuses an objective of 100% or above, with the key path and a fix", () => {
    expect(problemsOf(slo({ objective: 100 }))).to.equal(
      "Invalid stack config: signals.slos[0].objective: is 100%, but an objective of 100% or above leaves no error budget, so every error would page; set one below 100, e.g. `pulumi config set --path 'signals.slos[0].objective' 99.9`",
    );
    expect(problemsOf(slo({ objective: 0.999 }))).to.contain(
      "reads like a ratio, but the objective is in percent; did you mean 99.9?",
    );
  });

  it("refuses a window that is not a whole number of days", () => {
    expect(problemsOf(slo({ window: "36h" }))).to.equal(
      "Invalid stack config: signals.slos[0].window: must be a whole number of days such as 28d or 30d, got \"36h\"; set `pulumi config set --path 'signals.slos[0].window' 30d` (or 28d, four whole weeks)",
    );
  });

  it("refuses a latency SLI on a metric that is not a histogram's _bucket series", () => {
    expect(
      problemsOf(
        slo({
          sli: { latency: { histogram: 'http_request_duration_seconds_count{job="shop"}', threshold: 0.3 } },
        }),
      ),
    ).to.equal(
      "Invalid stack config: signals.slos[0].sli.latency.histogram: selects http_request_duration_seconds_count, which is not a histogram's _bucket series, so it has no le buckets to count fast requests with; select the histogram's buckets, e.g. `pulumi config set --path 'signals.slos[0].sli.latency.histogram' 'http_request_duration_seconds_bucket{...}'`",
    );
  });

  it("refuses an SLI with neither good/total nor latency, and a repeated SLO name", () => {
    const msg = problemsOf({
      slos: [
        { name: "a", service: "s", objective: 99, window: "28d", sli: { good: "x_total" } },
        { name: "b", service: "s", objective: 99, window: "28d", sli: { good: "x_total", total: "y_total" } },
        { name: "b", service: "s", objective: 99, window: "28d", sli: { good: "x_total", total: "y_total" } },
      ],
    });
    expect(msg).to.contain("signals.slos[0].sli.total: is required but not set");
    expect(msg).to.contain('signals.slos[2].name: repeats "b" (also at [1]); give each SLO its own name');
  });

  it("refuses scrape targets without a selector, with a port number or a spelled-out interval", () => {
    const msg = problemsOf({
      scrapeTargets: [{ name: "shop", namespace: "shop", port: 8080, interval: "5 minutes" }],
    });
    expect(msg).to.contain(
      "signals.scrapeTargets[0].selector: is required but not set; set the labels to select, e.g. `pulumi config set --path 'signals.scrapeTargets[0].selector.app' shop`",
    );
    expect(msg).to.contain("signals.scrapeTargets[0].port: must be a non-empty string, got 8080");
    expect(msg).to.contain(
      'signals.scrapeTargets[0].interval: must be a duration such as 30s, 15m, 12h, 10d or 2w, got "5 minutes"',
    );
    expect(
      problemsOf({
        scrapeTargets: [
          { name: "shop", namespace: "shop", selector: { app: "shop" }, port: "http", schema: "https" },
        ],
      }),
    ).to.equal(
      "Invalid stack config: signals.scrapeTargets[0].schema: is not a known key; remove it or use one of: interval, kind, name, namespace, path, port, scheme, selector",
    );
  });
});

describe("signals: dashboard files", () => {
  it("replaces a datasource input with the stack's uid and drops the exported id", () => {
    const text = dashboard({
      id: 42,
      __inputs: [{ name: "DS_PROMETHEUS", type: "datasource", pluginId: "prometheus" }],
      panels: [{ datasource: { type: "prometheus", uid: "${DS_PROMETHEUS}" } }],
    });
    const { dashboard: d, problems } = checkDashboardFile(dashFile(text), DATASOURCES, new Map());
    expect(problems).to.deep.equal([]);
    const json = JSON.parse(d?.json ?? "{}") as Record<string, unknown>;
    expect(json["id"]).to.equal(null);
    expect(json["__inputs"]).to.equal(undefined);
    expect(json["panels"]).to.deep.equal([{ datasource: { type: "prometheus", uid: "prometheus" } }]);
    expect(d?.name).to.equal("grafana-dashboard-signals-shop-x");
    expect(d?.folder).to.equal("Shop");
  });

  it("accepts datasource variables of the dashboard and Grafana's built-in datasource", () => {
    const text = dashboard({
      templating: { list: [{ type: "datasource", name: "ds", query: "prometheus" }] },
      annotations: { list: [{ datasource: { type: "grafana", uid: "-- Grafana --" } }] },
      panels: [{ datasource: "${ds}" }, { datasource: null }],
    });
    expect(checkDashboardFile(dashFile(text), DATASOURCES, new Map()).problems).to.deep.equal([]);
  });

  it("names the file and the problem: invalid JSON", () => {
    expect(fileError({ dashboards: [dashFile('{"title": "Shop",')] })).to.match(
      /^Invalid signal file: signals\/dashboards\/Shop\/x\.json: is not valid JSON \(.+\); export the dashboard again from Grafana \(Share > Export > Save to file\), or fix the syntax$/,
    );
  });

  it("names the file and the problem: a datasource uid that does not exist", () => {
    const text = dashboard({
      panels: [{ targets: [{ datasource: { type: "prometheus", uid: "prom-eu" } }] }],
    });
    expect(fileError({ dashboards: [dashFile(text)] })).to.equal(
      'Invalid signal file: signals/dashboards/Shop/x.json: panels[0].targets[0].datasource: names datasource uid "prom-eu", which the stack does not have; use one of the stack\'s datasource uids: alertmanager, loki, prometheus',
    );
  });

  it("names the file and the problem: a uid the stack already ships, or another file has", () => {
    expect(
      fileError({ dashboards: [dashFile(dashboard({ uid: "observability-service-overview" }))] }),
    ).to.equal(
      'Invalid signal file: signals/dashboards/Shop/x.json: uid: "observability-service-overview" is already the uid of the project\'s Service overview; give this dashboard a uid of its own',
    );
    expect(fileError({ dashboards: [dashFile(dashboard(), "a"), dashFile(dashboard(), "b")] })).to.equal(
      'Invalid signal file: signals/dashboards/Shop/b.json: uid: "shop-x" is already the uid of signals/dashboards/Shop/a.json; give this dashboard a uid of its own',
    );
  });

  it("refuses a dashboard without a fixed uid, an input of a plugin the stack lacks, and one over 1 MiB", () => {
    expect(fileError({ dashboards: [dashFile(dashboard({ uid: undefined }))] })).to.contain(
      "signals/dashboards/Shop/x.json: uid: is not set, so Grafana would give the dashboard a new uid on every load",
    );
    const tempo = dashboard({ __inputs: [{ name: "DS_TEMPO", type: "datasource", pluginId: "tempo" }] });
    expect(fileError({ dashboards: [dashFile(tempo)] })).to.equal(
      "Invalid signal file: signals/dashboards/Shop/x.json: __inputs[0]: input DS_TEMPO asks for a tempo datasource, and the stack has none; use one of the stack's datasources (prometheus (prometheus), alertmanager (alertmanager), loki (loki))",
    );
    const big = dashboard({ description: "x".repeat(1024 * 1024) });
    expect(fileError({ dashboards: [dashFile(big)] })).to.match(
      /^Invalid signal file: signals\/dashboards\/Shop\/x\.json: is 10\d{5} bytes, more than a ConfigMap holds \(1 MiB\); split it/,
    );
  });

  it("keeps the uids of the project's own dashboards and the error-budget dashboard distinct", () => {
    const own = projectDashboards({
      dashboards: {
        enabled: true,
        folder: "Observability",
        communityFolder: "Community",
        chartFolder: "Kubernetes",
        community: {},
        source: "https://grafana.com",
      },
      datasources: [{ name: "Prometheus", type: "prometheus", uid: "prometheus", url: "http://p" }],
      stackNamespaces: ["monitoring"],
      alertmanagerEnabled: true,
      thresholds: { errorRatio: 0.05, latencyMs: 1000 },
    }).map((f) => f.dashboard.uid);
    expect(own).to.not.include(SLO_DASHBOARD_UID);
  });
});

describe("signals: rule files", () => {
  const rules = (body: string) => `groups:\n  - name: shop\n    rules:\n${body}`;
  const alert = (name: string, expr: string, extra = "") =>
    `      - alert: ${name}\n        expr: ${expr}\n${extra}`;

  it("keeps a valid file's groups as they are", () => {
    const text = rules(
      alert("ShopDown", "up == 0", "        for: 5m\n        labels:\n          severity: critical\n"),
    );
    expect(checkRuleFile("f", "rules/shop.rules.yaml", text)).to.deep.equal({
      rules: {
        file: "f",
        resource: "signals-rules-shop",
        groups: [
          {
            name: "shop",
            rules: [{ alert: "ShopDown", expr: "up == 0", for: "5m", labels: { severity: "critical" } }],
          },
        ],
      },
      problems: [],
    });
  });

  it("names the file and the problem: a PromQL syntax error", () => {
    expect(
      fileError({ rules: [ruleFile(rules(alert("ShopDown", "sum(rate(http_requests_total[5m])")))] }),
    ).to.equal(
      'Invalid signal file: signals/rules/shop.rules.yaml: groups[0].rules[0].expr: PromQL syntax error at character 34, near "ests_total[5m])"; fix the expression (promtool check rules shows the same)',
    );
  });

  it("names the file and the problem: a duration of 5 minutes", () => {
    expect(
      fileError({ rules: [ruleFile(rules(alert("ShopDown", "up == 0", "        for: 5 minutes\n")))] }),
    ).to.equal(
      'Invalid signal file: signals/rules/shop.rules.yaml: groups[0].rules[0].for: "5 minutes" is not a Prometheus duration; write 5m (a number and one of the units ms, s, m, h, d, w, y, no space)',
    );
  });

  it("names the file and the problem: a name repeated within a group, and YAML that is no rule file", () => {
    expect(
      fileError({ rules: [ruleFile(rules(alert("ShopDown", "up == 0") + alert("ShopDown", "up < 1")))] }),
    ).to.equal(
      "Invalid signal file: signals/rules/shop.rules.yaml: groups[0].rules[1]: repeats the alert name ShopDown of rules[0] in the same group; give it its own name, or move it to another group",
    );
    expect(fileError({ rules: [ruleFile("rules:\n  - alert: X\n")] })).to.equal(
      "Invalid signal file: signals/rules/shop.rules.yaml: is not a Prometheus rule file: it has no groups: list; start it with `groups:` (docs/your-own-signals.md)",
    );
  });

  it("lists every problem of every file at once, one line each", () => {
    const msg = fileError({
      dashboards: [dashFile("nope")],
      rules: [ruleFile(rules(alert("A", "up ==", "        for: 1 hour\n")))],
    });
    expect(msg.split("\n")).to.have.length(4);
    expect(msg.split("\n")[0]).to.equal("Invalid signal files (3 problems):");
  });
});

describe("signals: the example shop", () => {
  const config = read(exampleSignalsRaw());
  const files = readSignalFiles(PROJECT_DIR, config.directory);
  const plan = signalsPlan(planArgs(config, files));

  it("reads one dashboard file and one rule file beside it; tests and other files stay out", () => {
    expect(files.problems).to.deep.equal([]);
    expect(files.dashboards.map((d) => d.file)).to.deep.equal([
      "examples/shop/dashboards/Shop/shop-overview.json",
    ]);
    expect(files.rules.map((r) => r.file)).to.deep.equal(["examples/shop/dashboards/Shop/shop.rules.yaml"]);
  });

  it("ships the dashboard in its folder, the error-budget dashboard, three PrometheusRules and a ServiceMonitor", () => {
    expect(plan.dashboards.map((d) => [d.name, d.folder, d.uid])).to.deep.equal([
      ["grafana-dashboard-signals-error-budgets", "SLOs", "signals-error-budgets"],
      ["grafana-dashboard-signals-shop-shop-overview", "Shop", "shop-overview"],
    ]);
    expect(plan.rules.map((r) => r.metadata.name)).to.deep.equal([
      "signals-slo-shop-availability",
      "signals-slo-shop-latency",
      "signals-dashboards-shop-shop",
    ]);
    expect(plan.monitors.map((m) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`)).to.deep.equal([
      "ServiceMonitor/monitoring/signals-shop-shop",
    ]);
  });

  it("ships nothing when switched off, or without Prometheus", () => {
    const none = { dashboards: [], rules: [], monitors: [] };
    expect(signalsPlan(planArgs({ ...config, enabled: false }, files))).to.deep.equal(none);
    const stack = {
      signals: config,
      namespace: "monitoring",
      grafana: true,
      datasources: DATASOURCES,
      otherDashboards: [],
    };
    expect(stackSignals({ ...stack, prometheus: false })).to.deep.equal(none);
    // The project's directory is found from the compiled program, whatever the working directory.
    expect(projectRoot()).to.equal(PROJECT_DIR);
    expect(stackSignals({ ...stack, prometheus: true }).rules).to.have.length(3);
  });

  describe("against the CRD schemas", function () {
    before(function () {
      requireUpstream(this, "crds");
    });
    it("every PrometheusRule and monitor is valid", () => {
      for (const o of [...plan.rules, ...plan.monitors])
        expect(validateCustomResource({ ...o })).to.deep.equal([]);
    });
    it("a PodMonitor over https at another path is valid too", () => {
      const pod = scrapeTargetMonitor(
        {
          name: "api",
          namespace: "shop",
          kind: "pod",
          selector: { app: "api" },
          port: "metrics",
          path: "/admin/metrics",
          interval: "1m",
          scheme: "https",
        },
        "monitoring",
      );
      expect(pod.kind).to.equal("PodMonitor");
      expect(pod.spec["podMetricsEndpoints"]).to.deep.equal([
        { port: "metrics", path: "/admin/metrics", interval: "1m", scheme: "https" },
      ]);
      expect(validateCustomResource({ ...pod })).to.deep.equal([]);
    });
  });

  it("the error-budget dashboard names only the Prometheus datasource, and its queries parse", () => {
    const d = plan.dashboards.find((x) => x.uid === SLO_DASHBOARD_UID);
    const json = d?.json ?? "";
    const uids = [...json.matchAll(/"uid": "([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(uids)).to.deep.equal(new Set(["prometheus", SLO_DASHBOARD_UID]));
    const exprs = [...json.matchAll(/"expr": "((?:[^"\\]|\\.)*)"/g)].map(
      (m) => JSON.parse(`"${m[1] ?? ""}"`) as string,
    );
    expect(exprs.length).to.be.greaterThan(8);
    for (const e of exprs) expect(promqlSyntaxError(e), e).to.equal(undefined);
  });
});

describe("signals: SLO rules", () => {
  const [availability, latency] = read(exampleSignalsRaw()).slos;
  if (availability === undefined || latency === undefined) throw new Error("the example has two SLOs");

  it("records the error ratio over every window the alerts need, and over the SLO's window", () => {
    const records = sloRuleGroup(availability).rules.flatMap((r) =>
      r.record !== undefined ? [r.record] : [],
    );
    const windows = new Set(BURN_ALERTS.flatMap((b) => b.windows.flatMap((w) => [w.long, w.short])));
    for (const w of windows) expect(records).to.include(errorRatioRecord(w));
    expect(records).to.include(errorRatioRecord("30d"));
    expect(records).to.include.members([
      "slo:objective:ratio",
      "slo:error_budget:ratio",
      "slo:error_budget_remaining:ratio",
    ]);
  });

  it("pages at 14.4x over 1h and 5m or 6x over 6h and 30m; tickets at 3x over 1d and 2h or 1x over 3d and 6h", () => {
    const alerts = sloRuleGroup(availability).rules.filter((r) => r.alert !== undefined);
    expect(alerts.map((a) => [a.alert, a.labels?.["severity"], a.expr])).to.deep.equal([
      [
        "ErrorBudgetBurnPage",
        "critical",
        '(slo:sli_error:ratio_rate1h{slo="shop-availability"} > (14.4 * 0.001) and slo:sli_error:ratio_rate5m{slo="shop-availability"} > (14.4 * 0.001))\nor\n(slo:sli_error:ratio_rate6h{slo="shop-availability"} > (6 * 0.001) and slo:sli_error:ratio_rate30m{slo="shop-availability"} > (6 * 0.001))',
      ],
      [
        "ErrorBudgetBurnTicket",
        "warning",
        '(slo:sli_error:ratio_rate1d{slo="shop-availability"} > (3 * 0.001) and slo:sli_error:ratio_rate2h{slo="shop-availability"} > (3 * 0.001))\nor\n(slo:sli_error:ratio_rate3d{slo="shop-availability"} > (1 * 0.001) and slo:sli_error:ratio_rate6h{slo="shop-availability"} > (1 * 0.001))',
      ],
    ]);
  });

  it("counts good and all events from the SLI: counters, or the histogram's bucket at the threshold and +Inf", () => {
    const fiveMinutes = (g: ReturnType<typeof sloRuleGroup>) =>
      g.rules.find((r) => r.record === errorRatioRecord("5m"))?.expr;
    expect(fiveMinutes(sloRuleGroup(availability))).to.equal(
      '(sum(rate(http_requests_total{namespace="shop", job="shop"}[5m])) - (sum(rate(http_requests_total{namespace="shop", job="shop", code!~"5.."}[5m])) or vector(0))) / sum(rate(http_requests_total{namespace="shop", job="shop"}[5m]))',
    );
    expect(fiveMinutes(sloRuleGroup(latency))).to.equal(
      '(sum(rate(http_request_duration_seconds_bucket{namespace="shop", job="shop", le="+Inf"}[5m])) - (sum(rate(http_request_duration_seconds_bucket{namespace="shop", job="shop", le="0.3"}[5m])) or vector(0))) / sum(rate(http_request_duration_seconds_bucket{namespace="shop", job="shop", le="+Inf"}[5m]))',
    );
  });

  it("every generated expression parses as PromQL, and the generated group passes the file checks", () => {
    for (const slo of [availability, latency]) {
      const group = sloRuleGroup(slo);
      for (const r of group.rules) expect(promqlSyntaxError(r.expr), r.expr).to.equal(undefined);
      const text = JSON.stringify({ groups: [group] });
      expect(checkRuleFile("slo", "slo.rules.yaml", text).problems).to.deep.equal([]);
    }
  });

  it("generates promtool tests with series each SLI selects: good and bad events of one counter", () => {
    const tests = sloPromtoolTests(availability, "slo.rules.yaml") as {
      tests: { input_series: { series: string }[] }[];
    };
    expect(tests.tests[0]?.input_series.map((s) => s.series)).to.deep.equal([
      'http_requests_total{code="200", job="shop", namespace="shop"}',
      'http_requests_total{code="500", job="shop", namespace="shop"}',
    ]);
    const lat = sloPromtoolTests(latency, "slo.rules.yaml") as {
      tests: { input_series: { series: string }[] }[];
    };
    expect(lat.tests[0]?.input_series.map((s) => s.series)).to.deep.equal([
      'http_request_duration_seconds_bucket{job="shop", namespace="shop", le="0.3"}',
      'http_request_duration_seconds_bucket{job="shop", namespace="shop", le="+Inf"}',
    ]);
  });
});
