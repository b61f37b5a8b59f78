import { expect } from "chai";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { alertRuleGroups, prometheusRuleSpec, readAlerting } from "../../components/alerting";
import { ConfigProblem, Section, STACK_NAMESPACE_NAMES } from "../../components/kit";
import { readSignals, sloPromtoolTests, sloRuleGroup, SloConfig } from "../../components/signals";
import { PROJECT_DIR } from "../lib/helpers";
import { exampleSignalsRaw } from "../lib/signals";

/** promtool, built from the Go module of the Prometheus the stack runs (tools/signals/build-promtool.sh). */
function buildPromtool(): string {
  const out = execFileSync("bash", [path.join(PROJECT_DIR, "tools/signals/build-promtool.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  return out.trim().split("\n").pop() ?? "";
}

function promtool(bin: string, args: string[], cwd: string): { code: number; output: string } {
  const r = spawnSync(bin, args, { cwd, encoding: "utf8" });
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

/** Every `*.test.yaml` below the example application and the default signals folder. */
function testFiles(): string[] {
  return ["examples", "signals"]
    .filter((dir) => fs.existsSync(path.join(PROJECT_DIR, dir)))
    .flatMap((dir) =>
      fs
        .readdirSync(path.join(PROJECT_DIR, dir), { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".test.yaml"))
        .map((f) => path.join(dir, f)),
    )
    .sort();
}

function slos(): SloConfig[] {
  const problems: ConfigProblem[] = [];
  const c = readSignals(new Section("signals", exampleSignalsRaw(), problems));
  expect(problems).to.deep.equal([]);
  return c.slos;
}

describe("promtool: rule checks and rule unit tests", function () {
  let bin = "";
  let tmp = "";
  before(function () {
    this.timeout(0); // a cold build compiles Prometheus's promtool (tools/signals/build-promtool.sh)
    bin = buildPromtool();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "promtool-"));
  });
  after(() => {
    if (tmp !== "") fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("is the promtool of the Prometheus the stack runs (3.10.0)", () => {
    const { code, output } = promtool(bin, ["--version"], tmp);
    expect(code).to.equal(0);
    expect(output).to.match(/^promtool, version 3\.10\.0 /);
  });

  it("passes every rule test beside its rules (the example application's and those in signals/)", () => {
    const files = testFiles();
    expect(files).to.include("examples/shop/dashboards/Shop/shop.test.yaml");
    for (const f of files) {
      const dir = path.dirname(path.join(PROJECT_DIR, f));
      const { code, output } = promtool(bin, ["test", "rules", path.basename(f)], dir);
      expect(code, output).to.equal(0);
      expect(output).to.contain("SUCCESS");
    }
  });

  it("the stack's own 6 alerts: each fires on its series within its for and stays quiet on a healthy one", () => {
    const problems: ConfigProblem[] = [];
    const alerting = readAlerting(new Section("alerting", undefined, problems), [], problems);
    expect(problems).to.deep.equal([]);
    const groups = alertRuleGroups({
      rules: alerting.rules,
      runbookBaseUrl: alerting.runbookBaseUrl,
      stackNamespaces: Object.values(STACK_NAMESPACE_NAMES),
      alertmanagerEnabled: true,
    });
    const alerts = groups.flatMap((g) => g.rules.map((r) => r.alert));
    expect(alerts).to.have.length(6);
    const dir = path.join(tmp, "stack");
    fs.mkdirSync(dir);
    const rules = { groups: groups.flatMap((g) => (prometheusRuleSpec(g) as { groups: unknown[] }).groups) };
    fs.writeFileSync(path.join(dir, "stack-alerts.rules.yaml"), stringify(rules));
    const test = fs.readFileSync(
      path.join(PROJECT_DIR, "components/alerting/stack-alerts.test.yaml"),
      "utf8",
    );
    fs.writeFileSync(path.join(dir, "stack-alerts.test.yaml"), test);
    // Every alert has a test of its own.
    for (const a of alerts) expect(test).to.contain(`alertname: ${a}\n`);
    const check = promtool(bin, ["check", "rules", "stack-alerts.rules.yaml"], dir);
    expect(check.code, check.output).to.equal(0);
    const { code, output } = promtool(bin, ["test", "rules", "stack-alerts.test.yaml"], dir);
    expect(code, output).to.equal(0);
    expect(output).to.contain("SUCCESS");
  });

  it("every generated SLO group passes promtool check rules", () => {
    for (const slo of slos()) {
      const file = path.join(tmp, `slo-${slo.name}.rules.yaml`);
      fs.writeFileSync(file, stringify({ groups: [sloRuleGroup(slo)] }));
      const { code, output } = promtool(bin, ["check", "rules", file], tmp);
      expect(code, output).to.equal(0);
      expect(output).to.contain("SUCCESS: 13 rules found");
    }
  });

  it("generated SLO tests: a 15x burn pages within the hour, a burn just under 1x never alerts", function () {
    this.timeout(300_000);
    for (const slo of slos()) {
      const rules = `slo-${slo.name}.rules.yaml`;
      fs.writeFileSync(path.join(tmp, rules), stringify({ groups: [sloRuleGroup(slo)] }));
      const test = `slo-${slo.name}.test.yaml`;
      fs.writeFileSync(path.join(tmp, test), stringify(sloPromtoolTests(slo, rules)));
      const { code, output } = promtool(bin, ["test", "rules", test], tmp);
      expect(code, output).to.equal(0);
    }
  });

  it("the generated page test catches a page alert at the wrong burn rate", () => {
    const slo = slos()[0];
    if (slo === undefined) throw new Error("the example has SLOs");
    const group = sloRuleGroup(slo);
    // 30x instead of 14.4x: a 15x burn would never page.
    const wrong = {
      ...group,
      rules: group.rules.map((r) =>
        r.alert !== undefined ? { ...r, expr: r.expr.replaceAll("(14.4 *", "(30 *") } : r,
      ),
    };
    expect(JSON.stringify(wrong)).to.not.equal(JSON.stringify(group));
    fs.writeFileSync(path.join(tmp, "wrong.rules.yaml"), stringify({ groups: [wrong] }));
    const tests = sloPromtoolTests(slo, "wrong.rules.yaml") as { tests: unknown[] };
    fs.writeFileSync(
      path.join(tmp, "wrong.test.yaml"),
      stringify({ ...tests, tests: tests.tests.slice(0, 1) }),
    );
    const { code, output } = promtool(bin, ["test", "rules", "wrong.test.yaml"], tmp);
    expect(code).to.equal(1);
    expect(output).to.contain("FAILED");
  });

  it("catches a broken rule test: promtool fails when an expected alert does not fire", () => {
    const dir = path.join(tmp, "broken");
    fs.mkdirSync(dir);
    fs.copyFileSync(
      path.join(PROJECT_DIR, "examples/shop/dashboards/Shop/shop.rules.yaml"),
      path.join(dir, "shop.rules.yaml"),
    );
    const test = fs
      .readFileSync(path.join(PROJECT_DIR, "examples/shop/dashboards/Shop/shop.test.yaml"), "utf8")
      .replace("- eval_time: 10m", "- eval_time: 9m");
    fs.writeFileSync(path.join(dir, "shop.test.yaml"), test);
    const { code, output } = promtool(bin, ["test", "rules", "shop.test.yaml"], dir);
    expect(code).to.equal(1);
    expect(output).to.contain("FAILED");
  });
});
