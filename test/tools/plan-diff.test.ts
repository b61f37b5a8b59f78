import { expect } from "chai";
import { spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PlanDocument, PlanResource } from "../../tools/lib/plan";
import {
  diffPlans,
  diffValues,
  HIDDEN_PLAIN,
  PlanDiff,
  renderJson,
  renderMarkdown,
  secretConfigChanges,
} from "../../tools/lib/plan-diff";
import { HELM_RELEASE, PROJECT_DIR } from "../lib/helpers";
import { copyProject, GIT_ENV, gitIn, linkBuild } from "../lib/scratch-repo";

const REPO = "https://prometheus-community.github.io/helm-charts";

function release(name: string, version: string, values: Record<string, unknown>): PlanResource {
  return {
    type: HELM_RELEASE,
    name,
    parent: "observability-prometheus",
    dependsOn: ["ns-monitoring"],
    provider: "kubernetes",
    inputs: { chart: name, name, namespace: "monitoring", repositoryOpts: { repo: REPO }, values, version },
  };
}

const COMPONENT: PlanResource = {
  type: "observability:monitoring:PrometheusStack",
  name: "observability-prometheus",
  dependsOn: [],
  inputs: {},
};
const NAMESPACE: PlanResource = {
  type: "kubernetes:core/v1:Namespace",
  name: "ns-monitoring",
  dependsOn: [],
  provider: "kubernetes",
  inputs: { metadata: { labels: { "app.kubernetes.io/part-of": "observability" }, name: "monitoring" } },
};

/** The admin Secret: its data is secret in both plans, whatever the password became. */
function adminSecret(): PlanResource {
  return {
    type: "kubernetes:core/v1:Secret",
    name: "observability-prometheus-grafana-admin",
    parent: "observability-prometheus",
    dependsOn: ["ns-monitoring"],
    provider: "kubernetes",
    inputs: { metadata: { name: "grafana-admin", namespace: "monitoring" }, stringData: "[secret]" },
  };
}

const BASE: PlanDocument = {
  stack: "dev",
  resources: [
    COMPONENT,
    NAMESPACE,
    release("kube-prometheus-stack", "82.14.1", {
      grafana: { admin: { existingSecret: "grafana-admin" }, smtpPassword: "hunter2" },
      prometheus: { prometheusSpec: { replicas: 1, retention: "10d", ruleSelector: { matchLabels: {} } } },
      alertmanager: { config: { receivers: [{ name: "null" }, { name: "team" }] } },
    }),
    adminSecret(),
    release("metrics-server", "3.13.0", { args: ["--kubelet-insecure-tls"] }),
  ],
  outputs: { grafana: { service: "kube-prometheus-stack-grafana" } },
};

const HEAD: PlanDocument = {
  stack: "dev",
  resources: [
    COMPONENT,
    NAMESPACE,
    {
      ...release("kube-prometheus-stack", "83.0.0", {
        // The SMTP password moved to a secret: neither side may print it.
        grafana: {
          admin: { existingSecret: "grafana-admin" },
          persistence: { enabled: true },
          smtpPassword: "[secret]",
        },
        prometheus: { prometheusSpec: { retention: "15d", ruleSelector: { matchLabels: {} } } },
        alertmanager: { config: { receivers: [{ name: "null" }, { name: "oncall" }, { name: "team" }] } },
      }),
      dependsOn: ["ns-monitoring", "prometheus-operator-crds"],
    },
    adminSecret(),
    {
      type: HELM_RELEASE,
      name: "loki",
      parent: "observability-logging",
      dependsOn: [],
      provider: "kubernetes",
      inputs: {
        chart: "loki",
        name: "loki",
        namespace: "logging",
        repositoryOpts: { repo: "https://grafana.github.io/helm-charts" },
        values: { deploymentMode: "SingleBinary" },
        version: "6.30.0",
      },
    },
  ],
  outputs: {
    grafana: { service: "kube-prometheus-stack-grafana" },
    loki: { url: "http://loki.logging:3100" },
  },
};

const LABELS = { base: "main (0b886b0)", head: "working tree" };

/** The fixtures record no URNs, as plans made before URNs were: the diff computes them from the parents. */
const METRICS_SERVER_URN =
  "urn:pulumi:dev::observability::observability:monitoring:PrometheusStack$kubernetes:helm.sh/v3:Release::metrics-server";

/** The same document with every object's keys in reverse order. */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).reverse())
      out[key] = reordered((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

describe("the plan diff", () => {
  const diff: PlanDiff = diffPlans(BASE, HEAD, LABELS);

  it("lists added resources in head order and removed ones in base order", () => {
    expect(diff.added.map((r) => r.name)).to.deep.equal(["loki"]);
    expect(diff.added[0]?.release).to.deep.equal({
      name: "loki",
      namespace: "logging",
      chart: "loki",
      version: "6.30.0",
      repo: "https://grafana.github.io/helm-charts",
    });
    expect(diff.removed).to.deep.equal([
      {
        urn: METRICS_SERVER_URN,
        type: HELM_RELEASE,
        name: "metrics-server",
        release: {
          name: "metrics-server",
          namespace: "monitoring",
          chart: "metrics-server",
          version: "3.13.0",
          repo: REPO,
        },
      },
    ]);
    expect(diff.identical).to.equal(false);
  });

  it("reports a changed release's chart version on its own and its values by path, old and new", () => {
    expect(diff.changed.map((r) => r.name)).to.deep.equal(["kube-prometheus-stack"]);
    const kps = diff.changed[0];
    expect(kps?.chartVersion).to.deep.equal({ old: "82.14.1", new: "83.0.0" });
    expect(kps?.values).to.deep.equal([
      { path: "alertmanager.config.receivers[1].name", kind: "changed", old: "team", new: "oncall" },
      { path: "alertmanager.config.receivers[2].name", kind: "added", new: "team" },
      { path: "grafana.persistence.enabled", kind: "added", new: true },
      { path: "grafana.smtpPassword", kind: "changed", old: HIDDEN_PLAIN, new: "[secret]" },
      { path: "prometheus.prometheusSpec.replicas", kind: "removed", old: 1 },
      { path: "prometheus.prometheusSpec.retention", kind: "changed", old: "10d", new: "15d" },
    ]);
    expect(kps?.inputs).to.deep.equal([]);
    expect(kps?.options).to.deep.equal([
      {
        path: "dependsOn",
        kind: "changed",
        old: ["ns-monitoring"],
        new: ["ns-monitoring", "prometheus-operator-crds"],
      },
    ]);
  });

  it("cannot see a secret whose value changed: the admin Secret is not listed", () => {
    expect(diff.changed.map((r) => r.name)).to.not.include("observability-prometheus-grafana-admin");
  });

  it("lists changed stack outputs", () => {
    expect(diff.outputs).to.deep.equal([
      { path: "loki.url", kind: "added", new: "http://loki.logging:3100" },
    ]);
  });

  it("never prints a value that is secret on either side", () => {
    for (const text of [renderMarkdown(diff), renderJson(diff)]) {
      expect(text).to.not.include("hunter2");
      expect(text).to.include(HIDDEN_PLAIN);
    }
  });

  it("renders Markdown for a pull request comment", () => {
    expect(renderMarkdown(diff)).to.equal(
      [
        "### Stack `dev`: 0 replaced, 1 deleted; 1 added, 1 removed, 1 changed",
        "",
        "Offline plan of `working tree` against `main (0b886b0)`. Secrets show as `[secret]`; a secret whose value changed looks the same on both sides.",
        "",
        "#### Replaced or deleted",
        "",
        "- **delete** `metrics-server` `kubernetes:helm.sh/v3:Release`",
        `  - URN \`${METRICS_SERVER_URN}\``,
        "  - it is no longer declared",
        "",
        "#### Added",
        "",
        "**`loki`** `kubernetes:helm.sh/v3:Release`",
        "",
        "Helm release `loki` in namespace `logging`: chart `loki` 6.30.0 from `https://grafana.github.io/helm-charts`",
        "",
        "<details><summary>inputs of loki</summary>",
        "",
        "```yaml",
        "chart: loki",
        "name: loki",
        "namespace: logging",
        "repositoryOpts:",
        "  repo: https://grafana.github.io/helm-charts",
        "values:",
        "  deploymentMode: SingleBinary",
        "version: 6.30.0",
        "```",
        "",
        "</details>",
        "",
        "#### Removed",
        "",
        `- **\`metrics-server\`** \`kubernetes:helm.sh/v3:Release\`: Helm release \`metrics-server\` in namespace \`monitoring\`: chart \`metrics-server\` 3.13.0 from \`${REPO}\``,
        "",
        "#### Changed",
        "",
        "**`kube-prometheus-stack`** `kubernetes:helm.sh/v3:Release`",
        "",
        `Helm release \`kube-prometheus-stack\` in namespace \`monitoring\`: chart \`kube-prometheus-stack\` 83.0.0 from \`${REPO}\``,
        "",
        "Chart `kube-prometheus-stack` version: 82.14.1 → 83.0.0",
        "",
        "Values:",
        "",
        "```diff",
        '- alertmanager.config.receivers[1].name: "team"',
        '+ alertmanager.config.receivers[1].name: "oncall"',
        '+ alertmanager.config.receivers[2].name: "team"',
        "+ grafana.persistence.enabled: true",
        `- grafana.smtpPassword: "${HIDDEN_PLAIN}"`,
        '+ grafana.smtpPassword: "[secret]"',
        "- prometheus.prometheusSpec.replicas: 1",
        '- prometheus.prometheusSpec.retention: "10d"',
        '+ prometheus.prometheusSpec.retention: "15d"',
        "```",
        "",
        "Resource options:",
        "",
        "```diff",
        '- dependsOn: ["ns-monitoring"]',
        '+ dependsOn: ["ns-monitoring","prometheus-operator-crds"]',
        "```",
        "",
        "#### Stack outputs",
        "",
        "```diff",
        '+ loki.url: "http://loki.logging:3100"',
        "```",
        "",
      ].join("\n"),
    );
  });

  it("prints the same bytes for the same plans, whatever their key order", () => {
    const again = diffPlans(reordered(BASE) as PlanDocument, reordered(HEAD) as PlanDocument, LABELS);
    expect(renderMarkdown(again)).to.equal(renderMarkdown(diff));
    expect(renderJson(again)).to.equal(renderJson(diff));
    expect(renderJson(diffPlans(BASE, HEAD, LABELS))).to.equal(renderJson(diff));
  });

  it("says in one line that nothing differs", () => {
    const same = diffPlans(BASE, structuredClone(BASE), LABELS);
    expect(same.identical).to.equal(true);
    expect(renderMarkdown(same)).to.equal(
      "No difference in the offline plan of stack `dev` between `main (0b886b0)` and `working tree`.\n",
    );
    expect(JSON.parse(renderJson(same))).to.deep.equal({
      stack: "dev",
      base: "main (0b886b0)",
      head: "working tree",
      identical: true,
      replaceOrDelete: [],
      dataAtRisk: false,
      added: [],
      removed: [],
      changed: [],
      outputs: [],
      secretConfig: [],
    });
  });

  it("ignores the order of dependsOn", () => {
    const swapped = structuredClone(HEAD);
    const kps = swapped.resources.find((r) => r.name === "kube-prometheus-stack");
    kps?.dependsOn.reverse();
    expect(renderJson(diffPlans(BASE, swapped, LABELS))).to.equal(renderJson(diff));
  });

  it("refuses plans of two stacks and a plan that declares a resource twice", () => {
    expect(() => diffPlans(BASE, { ...HEAD, stack: "prod" })).to.throw(
      "cannot diff plans of different stacks: dev and prod",
    );
    expect(() => diffPlans({ ...BASE, resources: [NAMESPACE, NAMESPACE] }, HEAD)).to.throw(
      "the base plan declares kubernetes:core/v1:Namespace ns-monitoring twice",
    );
  });

  describe("of values", () => {
    it("quotes keys that are not identifiers and indexes lists", () => {
      expect(
        diffValues(
          { metadata: { labels: { "app.kubernetes.io/name": "a" } }, args: ["x"] },
          { metadata: { labels: { "app.kubernetes.io/name": "b" } }, args: ["x", "y"] },
        ),
      ).to.deep.equal([
        { path: "args[1]", kind: "added", new: "y" },
        { path: 'metadata.labels["app.kubernetes.io/name"]', kind: "changed", old: "a", new: "b" },
      ]);
    });

    it("lists a change of shape as what went and what came, leaf by leaf", () => {
      expect(diffValues({ a: { b: 1, c: [2] } }, { a: "flat" })).to.deep.equal([
        { path: "a.b", kind: "removed", old: 1 },
        { path: "a.c[0]", kind: "removed", old: 2 },
        { path: "a", kind: "added", new: "flat" },
      ]);
      expect(diffValues({ a: {} }, { a: [] })).to.deep.equal([
        { path: "a", kind: "changed", old: {}, new: [] },
      ]);
    });

    it("hides a whole subtree that became secret", () => {
      expect(diffValues({ auth: { password: "hunter2" } }, { auth: "[secret]" })).to.deep.equal([
        { path: "auth", kind: "changed", old: HIDDEN_PLAIN, new: "[secret]" },
      ]);
    });
  });

  describe("of secret config", () => {
    const base = [
      "config:",
      "  observability:grafanaAdminPassword:",
      "    secure: v1:AAAA",
      "  observability:alerting:",
      "    slack:",
      "      secure: v1:BBBB",
      "  observability:cluster:",
      "    context: kind-observability",
    ].join("\n");

    it("names secure values set again, added or removed, never their ciphertext", () => {
      const head = [
        "config:",
        "  observability:grafanaAdminPassword:",
        "    secure: v1:CCCC",
        "  observability:objectStorage:",
        "    secure: v1:DDDD",
        "  observability:cluster:",
        "    context: kind-observability",
      ].join("\n");
      const changes = secretConfigChanges(base, head);
      expect(changes).to.deep.equal([
        { key: "alerting.slack", kind: "removed" },
        { key: "grafanaAdminPassword", kind: "changed" },
        { key: "objectStorage", kind: "added" },
      ]);
      const rendered = renderMarkdown(diffPlans(BASE, BASE, { ...LABELS, secretConfig: changes }));
      expect(rendered).to.include(
        "- `grafanaAdminPassword`: set again (the value may or may not differ; it is never shown)",
      );
      for (const cipher of ["AAAA", "BBBB", "CCCC", "DDDD"]) expect(rendered).to.not.include(cipher);
    });

    it("finds nothing when the stack file's secure values are the same", () => {
      expect(secretConfigChanges(base, base)).to.deep.equal([]);
      expect(secretConfigChanges("", "")).to.deep.equal([]);
    });
  });
});

describe("plan:diff command line", function () {
  // Each run builds the base's plan through tsx: about a second.
  this.timeout(60000);
  let root = "";
  let repo = "";
  let tmp = "";
  const git = (...args: string[]) => gitIn(repo, ...args);

  function commitAll(message: string): void {
    git("add", "-A");
    git("commit", "-q", "-m", message);
  }

  /** The compiled tool, copied into the repository so that it takes that folder as its project. */
  function cli(...args: string[]): SpawnSyncReturns<string> {
    return spawnSync(process.execPath, [path.join(repo, "bin", "tools", "plan-diff.js"), ...args], {
      cwd: repo,
      encoding: "utf8",
      // Its temporary checkouts go here, so the test can see that they are cleaned up.
      env: { ...GIT_ENV, TMPDIR: tmp },
    });
  }

  const devFile = () => path.join(repo, "Pulumi.dev.yaml");
  const withPrometheus = (text: string, retention: string) =>
    `${text.trimEnd()}\n  observability:prometheus:\n    retention: ${retention}\n`;

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-test-"));
    repo = path.join(root, "repo");
    tmp = path.join(root, "tmp");
    fs.mkdirSync(tmp);
    fs.mkdirSync(repo);
    git("init", "-q", "-b", "main");
    // History, oldest first: before the offline plan existed (HEAD~3), a good revision (HEAD~2),
    // one whose stack config is broken (HEAD~1), and a good one again (HEAD).
    for (const file of ["Pulumi.yaml", "Pulumi.dev.yaml"]) {
      fs.copyFileSync(path.join(PROJECT_DIR, file), path.join(repo, file));
    }
    commitAll("before the offline plan");
    copyProject(PROJECT_DIR, repo);
    commitAll("the project");
    const good = fs.readFileSync(devFile(), "utf8");
    fs.writeFileSync(devFile(), withPrometheus(good, "10 days"));
    commitAll("a broken stack file");
    fs.writeFileSync(devFile(), good);
    commitAll("fixed");
    linkBuild(repo);
  });

  afterEach(() => {
    // tsx keeps its cache there too; the checkouts are plan-diff-*.
    const left = fs.readdirSync(tmp).filter((f) => f.startsWith("plan-diff-"));
    expect(left, "temporary checkouts left behind").to.deep.equal([]);
  });

  after(() => {
    if (root !== "") fs.rmSync(root, { recursive: true, force: true });
  });

  it("says in one line that nothing differs from HEAD in a clean tree, and exits 0", () => {
    const r = cli("--stack", "dev", "--base", "HEAD");
    expect(r.stderr).to.equal("");
    expect(r.status).to.equal(0);
    const sha = git("rev-parse", "--short=7", "HEAD");
    expect(r.stdout).to.equal(
      `No difference in the offline plan of stack \`dev\` between \`HEAD (${sha})\` and \`working tree\`.\n`,
    );
  });

  it("diffs the working tree against an older revision, as JSON with --json", () => {
    const good = fs.readFileSync(devFile(), "utf8");
    fs.writeFileSync(devFile(), withPrometheus(good, "15d"));
    try {
      const r = cli("--stack", "dev", "--base", "HEAD~2", "--json");
      expect(r.stderr).to.equal("");
      expect(r.status).to.equal(0);
      const diff = JSON.parse(r.stdout) as PlanDiff;
      expect(diff.base).to.equal(`HEAD~2 (${git("rev-parse", "--short=7", "HEAD~2")})`);
      expect(diff.added).to.deep.equal([]);
      expect(diff.removed).to.deep.equal([]);
      expect(diff.changed.map((c) => [c.name, c.values, c.inputs, c.options])).to.deep.equal([
        [
          "kube-prometheus-stack",
          [{ path: "prometheus.prometheusSpec.retention", kind: "changed", old: "10d", new: "15d" }],
          [],
          [],
        ],
      ]);
    } finally {
      fs.writeFileSync(devFile(), good);
    }
  });

  it("exits 1 naming a ref that is not a commit", () => {
    const r = cli("--stack", "dev", "--base", "does-not-exist");
    expect(r.status).to.equal(1);
    expect(r.stdout).to.equal("");
    expect(r.stderr).to.equal("plan:diff: --base does-not-exist: no such commit in this repository\n");
  });

  it("exits 1 when the base predates the offline plan", () => {
    const r = cli("--stack", "dev", "--base", "HEAD~3");
    expect(r.status).to.equal(1);
    expect(r.stderr).to.equal(
      `plan:diff: base HEAD~3 (${git("rev-parse", "--short=7", "HEAD~3")}) has no tools/plan.ts: it predates the offline plan, so there is nothing to diff against\n`,
    );
  });

  const RETENTION_ERROR =
    'Invalid stack config: prometheus.retention: must be a duration such as 30s, 15m, 12h, 10d or 2w, got "10 days"; set e.g. `pulumi config set --path prometheus.retention 10d`';

  // The base's own tools/plan.ts prints a config mistake alone, without a stack trace.
  it("exits 1 with the base's own error when its plan fails", () => {
    const r = cli("--stack", "dev", "--base", "HEAD~1");
    expect(r.status).to.equal(1);
    expect(r.stdout).to.equal("");
    const sha = git("rev-parse", "--short=7", "HEAD~1");
    expect(r.stderr).to.equal(`plan:diff: the plan of base HEAD~1 (${sha}) failed:\n${RETENTION_ERROR}\n`);
  });

  it("exits 1 with the working tree's error when its plan fails", () => {
    const good = fs.readFileSync(devFile(), "utf8");
    fs.writeFileSync(devFile(), withPrometheus(good, "10 days"));
    try {
      const r = cli("--stack", "dev", "--base", "HEAD");
      expect(r.status).to.equal(1);
      expect(r.stdout).to.equal("");
      expect(r.stderr).to.equal(`plan:diff: the plan of the working tree failed:\n${RETENTION_ERROR}\n`);
    } finally {
      fs.writeFileSync(devFile(), good);
    }
  });

  it("asks for --base", () => {
    const r = cli("--stack", "dev");
    expect(r.status).to.equal(2);
    expect(r.stderr).to.equal(
      "--base is required\nusage: npm run plan:diff -- --stack <name> --base <git-ref> [--json] [--fail-on-data-loss] [--render]\n",
    );
  });
});
