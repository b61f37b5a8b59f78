import { expect } from "chai";
import { spawnSync } from "child_process";
import * as path from "path";
import { renderJson, renderText } from "../../tools/lib/plan";
import { plan, PROJECT_DIR } from "../lib/helpers";
import { CHARTS } from "../../components/core";

const PLAN_CLI = path.join(PROJECT_DIR, "bin", "tools", "plan.js");

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [PLAN_CLI, ...args], { cwd: PROJECT_DIR, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the offline plan", () => {
  for (const stack of ["dev", "prod"]) {
    it(`of ${stack} prints the same bytes twice`, async () => {
      const first = await plan(stack);
      const second = await plan(stack);
      expect(renderJson(second)).to.equal(renderJson(first));
      expect(renderText(second)).to.equal(renderText(first));
    });
  }

  it("is a JSON document of resources with type, name, parent, dependsOn and inputs", async () => {
    const doc = JSON.parse(renderJson(await plan("dev"))) as {
      stack: string;
      resources: {
        type: string;
        name: string;
        parent?: string;
        dependsOn: string[];
        inputs: Record<string, unknown>;
      }[];
    };
    expect(doc.stack).to.equal("dev");
    const kps = doc.resources.find((r) => r.name === "kube-prometheus-stack");
    expect(kps).to.not.equal(undefined);
    expect(kps?.type).to.equal("kubernetes:helm.sh/v3:Release");
    expect(kps?.parent).to.equal("observability-prometheus");
    expect(kps?.dependsOn).to.deep.equal([
      "ns-monitoring",
      "prometheus-operator-crds",
      "observability-prometheus-grafana-admin",
      "istiod",
    ]);
    expect(kps?.inputs).to.include({
      name: "kube-prometheus-stack",
      namespace: "monitoring",
      chart: "kube-prometheus-stack",
      version: CHARTS.kubePrometheusStack.version,
    });
    expect(kps?.inputs["repositoryOpts"]).to.deep.equal({
      repo: "https://prometheus-community.github.io/helm-charts",
    });
    expect(kps?.inputs["values"]).to.have.property("prometheus");
  });

  it("shows the admin Secret's data as [secret]", async () => {
    const text = renderText(await plan("dev"));
    expect(text).to.include('stringData: "[secret]"');
  });

  describe("command line", () => {
    it("prints the text plan of a stack", () => {
      const r = cli("--stack", "prod");
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/^Offline plan of stack "prod": \d+ resources\./);
      expect(r.stdout).to.include(
        `chart   kube-prometheus-stack ${CHARTS.kubePrometheusStack.version} from https://prometheus-community.github.io/helm-charts`,
      );
      // The second line tells a reader of thousands of lines how to page it or get JSON.
      expect(r.stdout.split("\n")[1]).to.equal(
        "Long: page it with `npm run --silent plan -- --stack prod | less`, or ask for `--json` and query it (jq).",
      );
      // prod's warning (no alert receiver) goes to stderr, as `pulumi preview` shows it, not into the plan.
      expect(r.stderr).to.match(/^warning: alerting: every alert goes to the null receiver/);
      expect(r.stdout).to.not.include("null receiver, so nobody");
    });

    it("prints JSON with --json, whole and the same bytes on every run", async () => {
      // prod's plan is larger than a pipe's buffer: all of it must arrive before the process exits.
      const a = cli("--stack", "prod", "--json");
      const b = cli("--stack", "prod", "--json");
      expect(a.status, a.stderr).to.equal(0);
      expect(a.stdout.length).to.be.greaterThan(128 * 1024);
      expect(b.stdout).to.equal(a.stdout);
      expect(a.stdout).to.equal(renderJson(await plan("prod")));
    });

    it("names the known stacks for an unknown one, without a stack trace", () => {
      const r = cli("--stack", "staging");
      expect(r.status).to.equal(2);
      expect(r.stderr).to.equal("no stack file Pulumi.staging.yaml; known stacks: dev, large, prod\n");
    });

    it("asks for --stack", () => {
      const r = cli();
      expect(r.status).to.equal(2);
      expect(r.stderr).to.equal("--stack is required\nusage: npm run plan -- --stack <name> [--json]\n");
    });
  });
});
