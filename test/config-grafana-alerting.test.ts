import { expect } from "chai";
import { errorFor } from "./lib/config-error";
import { SecretKeyNames, parseStackConfig } from "../components/core";

const kind = { cluster: { type: "kind", context: "kind-observability" } };

describe("stack config for dashboards and alerting", () => {
  it("defaults to the seed dashboards in their folders", () => {
    expect(parseStackConfig(kind).dashboards).to.deep.equal({
      enabled: true,
      folder: "Observability",
      communityFolder: "Community",
      chartFolder: "Kubernetes",
      community: {
        kubernetesCluster: { gnetId: 6417, revision: 1, datasourceInput: "DS_PROMETHEUS" },
        mysql: { gnetId: 7362, revision: 5, datasourceInput: "DS_PROMETHEUS" },
        nodeExporterFull: { gnetId: 1860, revision: 37, datasourceInput: "DS_PROMETHEUS" },
        postgres: { gnetId: 9628, revision: 7, datasourceInput: "DS_PROMETHEUS" },
      },
      source: "https://grafana.com",
    });
  });

  it("defaults to every rule on, no receivers, and everything routed to null", () => {
    const a = parseStackConfig(kind).alerting;
    expect(a.enabled).to.equal(true);
    expect(a.runbookBaseUrl).to.equal("docs/runbooks.md");
    expect(a.rules.highErrorRate).to.deep.equal({
      enabled: true,
      for: "5m",
      severity: "critical",
      window: "5m",
      threshold: 0.05,
    });
    expect(a.rules.componentDown).to.deep.equal({
      enabled: true,
      for: "5m",
      severity: "critical",
      window: "5m",
    });
    expect(a.receivers).to.deep.equal({});
    expect(a.route).to.deep.equal({
      receiver: "null",
      groupBy: ["alertname", "namespace"],
      groupWait: "30s",
      groupInterval: "5m",
      repeatInterval: "12h",
      routes: [],
    });
    expect(a.inhibition).to.deep.equal({ enabled: true, equal: ["namespace", "service"] });
  });

  it("reads receivers, routes and matchers", () => {
    const a = parseStackConfig(
      {
        ...kind,
        alerting: {
          receivers: { oncall: { type: "pagerduty", sendResolved: "false" } },
          route: {
            routes: [{ receiver: "oncall", matchers: ['namespace=~"team-(a|b)"', "severity = critical"] }],
          },
        },
      },
      new Set(["alertReceiverSecrets"]),
      { alertReceiverSecrets: ["oncall"] },
    ).alerting;
    expect(a.receivers).to.deep.equal({ oncall: { type: "pagerduty", sendResolved: false } });
    expect(a.route.routes).to.deep.equal([
      {
        receiver: "oncall",
        continue: false,
        matchers: [
          { name: "namespace", matchType: "=~", value: "team-(a|b)" },
          { name: "severity", matchType: "=", value: "critical" },
        ],
      },
    ]);
  });

  describe("errors name the key path, what is wrong and what to set", () => {
    const cases: [string, Record<string, unknown>, SecretKeyNames, string][] = [
      [
        "a dashboard id without a revision",
        { ...kind, dashboards: { community: { grafanaStats: { gnetId: 2 } } } },
        {},
        "Invalid stack config: dashboards.community.grafanaStats.revision: is required with gnetId, or the dashboard changes whenever its author uploads a new revision; pin one from https://grafana.com/grafana/dashboards/2/?tab=revisions, e.g. `pulumi config set --path dashboards.community.grafanaStats.revision 1`",
      ],
      [
        "a seed dashboard given another id but not a revision",
        { ...kind, dashboards: { community: { mysql: { gnetId: 14057 } } } },
        {},
        "Invalid stack config: dashboards.community.mysql.revision: is required with gnetId, or the dashboard changes whenever its author uploads a new revision; pin one from https://grafana.com/grafana/dashboards/14057/?tab=revisions, e.g. `pulumi config set --path dashboards.community.mysql.revision 1`",
      ],
      [
        "a new dashboard without an id",
        { ...kind, dashboards: { community: { mine: { revision: 3 } } } },
        {},
        "Invalid stack config: dashboards.community.mine.gnetId: is required for a dashboard that is not in the seed list; set its grafana.com id, e.g. `pulumi config set --path dashboards.community.mine.gnetId 1860`",
      ],
      [
        "a dashboard name that cannot be a file name",
        { ...kind, dashboards: { community: { my_dash: { gnetId: 3, revision: 1 } } } },
        {},
        "Invalid stack config: dashboards.community.my_dash: is not a usable dashboard name: it becomes a file name; use letters, digits and - starting with a letter, e.g. `pulumi config set --path dashboards.community.myDashboard.gnetId <id>`",
      ],
      [
        "a folder with a slash",
        { ...kind, dashboards: { folder: "a/b" } },
        {},
        'Invalid stack config: dashboards.folder: must be a folder name of at most 63 ASCII letters (A-Z and a-z, no accents), digits, spaces, - and _, starting with a letter or digit, got "a/b"; set e.g. `pulumi config set --path dashboards.folder Observability`',
      ],
      [
        "a malformed rule duration",
        { ...kind, alerting: { rules: { highErrorRate: { for: "5 minutes" } } } },
        {},
        'Invalid stack config: alerting.rules.highErrorRate.for: must be a duration such as 30s, 15m, 12h, 10d or 2w, got "5 minutes"; set e.g. `pulumi config set --path alerting.rules.highErrorRate.for 5m`',
      ],
      [
        "a threshold written as a percentage",
        { ...kind, alerting: { rules: { highErrorRate: { threshold: "5%" } } } },
        {},
        'Invalid stack config: alerting.rules.highErrorRate.threshold: must be a ratio above 0 and at most 1 (0.05 is 5%), got "5%"; set e.g. `pulumi config set --path alerting.rules.highErrorRate.threshold 0.05`',
      ],
      [
        "a negative latency and a zero window",
        { ...kind, alerting: { rules: { highLatency: { threshold: -1, window: "0m" } } } },
        {},
        "Invalid stack config (2 problems):\n" +
          "  - alerting.rules.highLatency.threshold: must be a number of milliseconds above 0, got -1; set e.g. `pulumi config set --path alerting.rules.highLatency.threshold 1000`\n" +
          '  - alerting.rules.highLatency.window: must be longer than 0, got "0m"; set e.g. `pulumi config set --path alerting.rules.highLatency.window 5m`',
      ],
      [
        "a fractional restart count",
        { ...kind, alerting: { rules: { podRestarts: { threshold: 1.5 } } } },
        {},
        "Invalid stack config: alerting.rules.podRestarts.threshold: must be a whole number of restarts of at least 1, got 1.5; set e.g. `pulumi config set --path alerting.rules.podRestarts.threshold 3`",
      ],
      [
        "an unknown severity",
        { ...kind, alerting: { rules: { componentDown: { severity: "page" } } } },
        {},
        'Invalid stack config: alerting.rules.componentDown.severity: must be one of critical, warning, info, got "page"; set one of them, e.g. `pulumi config set --path alerting.rules.componentDown.severity critical`',
      ],
      [
        "a misspelt rule",
        { ...kind, alerting: { rules: { highErorRate: {} } } },
        {},
        "Invalid stack config: alerting.rules.highErorRate: is not a known key; remove it or use one of: componentDown, highErrorRate, highLatency, ingestionStalled, notificationsFailing, podRestarts",
      ],
      [
        "a receiver without its secret",
        { ...kind, alerting: { receivers: { oncall: { type: "pagerduty" } } } },
        {},
        "Invalid stack config: alerting.receivers.oncall: is a pagerduty receiver but alertReceiverSecrets has no oncall (the PagerDuty routing key); set it with `pulumi config set --secret --path alertReceiverSecrets.oncall <value>`",
      ],
      [
        "a secret for no receiver",
        { ...kind, alerting: { receivers: { team: { type: "slack", channel: "#alerts" } } } },
        { alertReceiverSecrets: ["team", "old"] },
        "Invalid stack config: alertReceiverSecrets.old: names no receiver in alerting.receivers; add the receiver with `pulumi config set --path alerting.receivers.old.type <slack|pagerduty|email>`, or remove the secret with `pulumi config rm --path alertReceiverSecrets.old`",
      ],
      [
        "a secret for a relay that takes no login",
        {
          ...kind,
          alerting: {
            receivers: {
              mail: { type: "email", to: "a@example.org", from: "b@example.org", smarthost: "smtp:25" },
            },
          },
        },
        { alertReceiverSecrets: ["mail"] },
        "Invalid stack config: alertReceiverSecrets.mail: is set but the email receiver mail uses no secret (set alerting.receivers.mail.authUsername for an SMTP login); remove it with `pulumi config rm --path alertReceiverSecrets.mail`",
      ],
      [
        "an e-mail receiver without addresses",
        { ...kind, alerting: { receivers: { mail: { type: "email" } } } },
        {},
        "Invalid stack config (3 problems):\n" +
          "  - alerting.receivers.mail.to: is required but not set; set it, e.g. `pulumi config set --path alerting.receivers.mail.to oncall@example.org`\n" +
          "  - alerting.receivers.mail.from: is required but not set; set it, e.g. `pulumi config set --path alerting.receivers.mail.from alertmanager@example.org`\n" +
          "  - alerting.receivers.mail.smarthost: is required but not set; set it, e.g. `pulumi config set --path alerting.receivers.mail.smarthost smtp.example.org:587`",
      ],
      [
        "a receiver of an unknown type",
        { ...kind, alerting: { receivers: { chat: { type: "teams" } } } },
        {},
        'Invalid stack config: alerting.receivers.chat.type: must be one of slack, pagerduty, email, got "teams"; set one of them, e.g. `pulumi config set --path alerting.receivers.chat.type slack`',
      ],
      [
        "a redefined null receiver",
        { ...kind, alerting: { receivers: { null: { type: "slack" } } } },
        {},
        "Invalid stack config: alerting.receivers.null: is built in: it drops every alert; remove it and route to `null` directly",
      ],
      [
        "routes to unknown receivers",
        {
          ...kind,
          alerting: {
            route: { receiver: "pager", routes: [{ receiver: "oncal", matchers: ["severity=critical"] }] },
          },
        },
        {},
        "Invalid stack config (2 problems):\n" +
          '  - alerting.route.receiver: names unknown receiver "pager"; use one of null, or define it under alerting.receivers.pager\n' +
          '  - alerting.route.routes[0].receiver: names unknown receiver "oncal"; use one of null, or define it under alerting.receivers.oncal',
      ],
      [
        "a malformed matcher and a route without matchers",
        {
          ...kind,
          alerting: {
            route: { routes: [{ receiver: "null", matchers: ["severity"] }, { receiver: "null" }] },
          },
        },
        {},
        "Invalid stack config (2 problems):\n" +
          "  - alerting.route.routes[0].matchers[0]: is not label=value, label!=value, label=~regex or label!~regex, got \"severity\"; set e.g. `pulumi config set --path 'alerting.route.routes[0].matchers[0]' severity=critical`\n" +
          "  - alerting.route.routes[1].matchers: is empty, so the route would take every alert and the routes after it none; add one, e.g. `pulumi config set --path 'alerting.route.routes[1].matchers[0]' severity=critical`",
      ],
      [
        "a matcher whose regular expression does not compile",
        {
          ...kind,
          alerting: { route: { routes: [{ receiver: "null", matchers: ["namespace=~team-(a"] }] } },
        },
        {},
        "Invalid stack config: alerting.route.routes[0].matchers[0]: has a regular expression that does not compile, got \"namespace=~team-(a\"; set e.g. `pulumi config set --path 'alerting.route.routes[0].matchers[0]' severity=critical`",
      ],
      [
        "a group-by that is not a list",
        { ...kind, alerting: { route: { groupBy: "alertname" } } },
        {},
        "Invalid stack config: alerting.route.groupBy: must be a list, got \"alertname\"; set its items, e.g. `pulumi config set --path 'alerting.route.groupBy[0]' alertname`",
      ],
      [
        "a zero repeat interval",
        { ...kind, alerting: { route: { repeatInterval: "0s" } } },
        {},
        'Invalid stack config: alerting.route.repeatInterval: must be longer than 0, got "0s"; set e.g. `pulumi config set --path alerting.route.repeatInterval 12h`',
      ],
      [
        "alerting without kube-prometheus-stack",
        { ...kind, prometheus: { enabled: false }, grafana: { enabled: false }, alerting: { enabled: true } },
        {},
        "Invalid stack config: alerting.enabled: is true but prometheus.enabled is false, and the rules and routing need kube-prometheus-stack; set `pulumi config set --path prometheus.enabled true`, or `pulumi config set --path alerting.enabled false`",
      ],
      [
        "dashboards without Grafana",
        { ...kind, grafana: { enabled: false }, dashboards: { enabled: true } },
        {},
        "Invalid stack config: dashboards.enabled: is true but grafana.enabled is false, and the dashboards are Grafana's; set `pulumi config set --path grafana.enabled true`, or `pulumi config set --path dashboards.enabled false`",
      ],
    ];
    for (const [what, raw, secrets, message] of cases) {
      it(`for ${what}`, () => {
        expect(errorFor(raw, [], secrets)).to.equal(message);
      });
    }
  });
});
