import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { PROJECT_DIR } from "../lib/helpers";
import { actionlintPath, actionlintVersion } from "../lib/actionlint";

const WORKFLOW_DIR = path.join(PROJECT_DIR, ".github", "workflows");
const WORKFLOWS = fs
  .readdirSync(WORKFLOW_DIR)
  .filter((f) => f.endsWith(".yml") || f.endsWith(".yaml"))
  .sort();

interface Job {
  if?: string;
  "timeout-minutes"?: number;
  permissions?: Record<string, string>;
  concurrency?: unknown;
  strategy?: { matrix?: { stack?: string[] } };
  steps: { uses?: string; run?: string; with?: Record<string, unknown> }[];
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: unknown;
  jobs: Record<string, Job>;
}

function text(file: string): string {
  return fs.readFileSync(path.join(WORKFLOW_DIR, file), "utf8");
}

function workflow(file: string): Workflow {
  return parse(text(file)) as Workflow;
}

function job(file: string, id: string): Job {
  const j = workflow(file).jobs[id];
  if (j === undefined) throw new Error(`${file} has no job ${id}`);
  return j;
}

/** The stacks that have a stack file: each must get a plan diff and a preview. */
const STACKS = fs
  .readdirSync(PROJECT_DIR)
  .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
  .filter((s): s is string => s !== undefined)
  .sort();

describe("the GitHub Actions workflows", () => {
  it("are e2e.yml, pr.yml, plan-diff-comment.yml and pulumi.yml", () => {
    expect(WORKFLOWS).to.deep.equal(["e2e.yml", "plan-diff-comment.yml", "pr.yml", "pulumi.yml"]);
  });

  it("pass actionlint", function () {
    const bin = actionlintPath();
    if (!fs.existsSync(bin)) {
      const why = `actionlint ${actionlintVersion()} is not installed at ${bin}; run \`bash tools/install-actionlint.sh\``;
      // CI must not pass by skipping the linter.
      if (process.env["CI"] === "true") expect.fail(`${why} (CI=true: CI must install it)`);
      console.warn(`      skipped: ${why}`);
      this.skip();
    }
    this.timeout(60000);
    const version = spawnSync(bin, ["-version"], { encoding: "utf8" });
    expect(version.stdout.split("\n")[0]).to.equal(`v${actionlintVersion()}`);
    // shellcheck and pyflakes off: the same checks on every machine, whatever else it has.
    const r = spawnSync(
      bin,
      [
        "-no-color",
        "-shellcheck=",
        "-pyflakes=",
        ...WORKFLOWS.map((f) => path.join(".github", "workflows", f)),
      ],
      { cwd: PROJECT_DIR, encoding: "utf8" },
    );
    expect(r.stdout + r.stderr).to.equal("");
    expect(r.status).to.equal(0);
    // And it does find mistakes: an unknown permission scope.
    const broken = spawnSync(bin, ["-no-color", "-shellcheck=", "-pyflakes=", "-"], {
      input:
        "on: push\npermissions:\n  pull-request: write\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo\n",
      encoding: "utf8",
    });
    expect(broken.status).to.equal(1);
    expect(broken.stdout).to.include('unknown permission scope "pull-request"');
  });

  it("pin every action to a commit SHA or an exact version, named in a comment", () => {
    for (const file of WORKFLOWS) {
      for (const line of text(file).split("\n")) {
        const m = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(line);
        if (m === null) continue;
        const [, ref = "", rest = ""] = m;
        const [, version = ""] = ref.split("@");
        const sha = /^[0-9a-f]{40}$/.test(version);
        const exact = /^v\d+\.\d+\.\d+$/.test(version);
        expect(sha || exact, `${file}: ${ref} is not pinned`).to.equal(true);
        if (sha) expect(rest, `${file}: ${ref} names no version`).to.match(/^\s+# v\d+\.\d+\.\d+/);
      }
    }
  });

  it("declare permissions at the top, and a timeout and a concurrency group for every job", () => {
    for (const file of WORKFLOWS) {
      const w = workflow(file);
      expect(w.permissions, file).to.not.equal(undefined);
      for (const [id, j] of Object.entries(w.jobs)) {
        expect(j["timeout-minutes"], `${file} ${id}`).to.be.a("number");
        expect(w.concurrency ?? j.concurrency, `${file} ${id} concurrency`).to.not.equal(undefined);
      }
    }
  });

  it("set up the Node line package.json's engines asks for, in every job", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")) as {
      engines: { node: string };
    };
    const major = /^>=(\d+)/.exec(pkg.engines.node)?.[1];
    expect(major, "engines.node").to.not.equal(undefined);
    let setups = 0;
    for (const file of WORKFLOWS) {
      for (const m of text(file).matchAll(/node-version:\s*"?([^"\s]+)"?/g)) {
        setups++;
        expect(Number(m[1]), `${file}: node-version ${m[1] ?? ""}`).to.be.at.least(Number(major));
      }
    }
    expect(setups).to.be.greaterThan(0);
  });

  describe("e2e.yml", () => {
    const kindTools = fs.readFileSync(path.join(PROJECT_DIR, "tools", "e2e", "kind-tools.sh"), "utf8");
    const pinned = (name: string) => new RegExp(`^${name}=(\\S+)$`, "m").exec(kindTools)?.[1] ?? "";

    it("runs the e2e suite on kind with a read-only token and no secrets", () => {
      const w = workflow("e2e.yml");
      expect(w.permissions).to.deep.equal({ contents: "read" });
      expect(text("e2e.yml")).to.not.match(/\$\{\{\s*secrets\./);
      const steps = job("e2e.yml", "e2e").steps;
      const install = steps.findIndex(
        (s) => s.run?.includes("bash tools/e2e/kind-tools.sh install") === true,
      );
      const create = steps.findIndex(
        (s) =>
          s.run?.includes(
            'kind create cluster --name observability --config kind/cluster.yaml --image "$(bash tools/e2e/kind-tools.sh node-image)"',
          ) === true,
      );
      const suite = steps.findIndex((s) => s.run === "npm run e2e");
      expect(install).to.be.greaterThan(-1);
      expect(create).to.be.greaterThan(install);
      expect(suite).to.be.greaterThan(create);
      expect((steps[suite] as { env?: Record<string, string> }).env).to.deep.equal({
        E2E_TARGET: "kind",
        E2E_STACKS: "dev",
        E2E_KUBE_CONTEXT: "kind-observability",
        E2E_RUN_DIR: "${{ runner.temp }}/e2e-run",
      });
    });

    it("pins kind (v0.24.0 or newer), its node image by digest, kubectl of the node's minor, and Helm 4", () => {
      // kind v0.24.0 or newer: its kindnet enforces the stack's NetworkPolicies (README, kind/cluster.yaml).
      const [major = -1, minor = -1] = (/^v(\d+)\.(\d+)\.\d+$/.exec(pinned("KIND_VERSION")) ?? [])
        .slice(1)
        .map(Number);
      expect(major * 1000 + minor, `kind ${pinned("KIND_VERSION")}`).to.be.at.least(24);
      const node = /^kindest\/node:v(\d+)\.(\d+)\.\d+@sha256:[0-9a-f]{64}$/.exec(pinned("KIND_NODE_IMAGE"));
      expect(node, `node image ${pinned("KIND_NODE_IMAGE")}`).to.not.equal(null);
      const kubectl = /^v(\d+)\.(\d+)\.\d+$/.exec(pinned("KUBECTL_VERSION"));
      expect(kubectl?.slice(1, 3), "kubectl's minor is the node's").to.deep.equal(node?.slice(1, 3));
      // The checks call `helm list` with Helm 4's flags, as on the loopback cluster.
      expect(pinned("HELM_VERSION")).to.match(/^v4\.\d+\.\d+$/);
      // No other kubectl or kind: not kind-action's kubectl, nor the runner image's Helm.
      expect(text("e2e.yml")).to.not.include("helm/kind-action");
    });

    it("runs every action on the Node 24 runtime", () => {
      // The first major of each that runs on node24 (its action.yml `runs.using`).
      const node24: Record<string, number> = {
        "actions/checkout": 5,
        "actions/setup-node": 5,
        "actions/upload-artifact": 6,
      };
      const uses = [...text("e2e.yml").matchAll(/uses:\s*([^@\s]+)@\S+\s+#\s*v(\d+)\./g)];
      expect(uses.length).to.equal(3);
      for (const [, action = "", major = ""] of uses) {
        expect(node24[action], `${action}: a known node24 major`).to.not.equal(undefined);
        expect(Number(major), action).to.be.at.least(node24[action] ?? Infinity);
      }
    });

    it("skips docs-only changes, and never cancels a run on main", () => {
      const w = workflow("e2e.yml");
      const ignored = ["docs/**", "**.md"];
      expect(w.on).to.deep.equal({
        pull_request: { "paths-ignore": ignored },
        push: { branches: ["main"], "paths-ignore": ignored },
        workflow_dispatch: null,
      });
      expect(w.concurrency).to.deep.equal({
        group: "e2e-${{ github.ref == 'refs/heads/main' && github.run_id || github.ref }}",
        "cancel-in-progress": "${{ github.ref != 'refs/heads/main' }}",
      });
    });

    it("bounds the suite below the job, and each test below the suite, so the summary and diagnostics still come", () => {
      const j = job("e2e.yml", "e2e");
      const suite = j.steps.find((s) => s.run === "npm run e2e") as
        { "timeout-minutes"?: number } | undefined;
      const stepMinutes = suite?.["timeout-minutes"] ?? Infinity;
      expect(stepMinutes).to.be.lessThan(j["timeout-minutes"] ?? 0);
      const mocharc = JSON.parse(
        fs.readFileSync(path.join(PROJECT_DIR, "test", "e2e", ".mocharc.json"), "utf8"),
      ) as {
        timeout: number;
      };
      expect(mocharc.timeout).to.be.lessThan(stepMinutes * 60_000);
      const overlay = fs.readFileSync(
        path.join(PROJECT_DIR, "tools", "e2e", "overlays", "kind-dev.yaml"),
        "utf8",
      );
      expect(overlay).to.match(/^ {4}timeoutSeconds: \d+$/m);
    });

    it("keeps kind's logs, the pods and events and the run directory when it fails", () => {
      const steps = job("e2e.yml", "e2e").steps as {
        if?: string;
        run?: string;
        uses?: string;
        with?: Record<string, unknown>;
      }[];
      const suite = steps.findIndex((s) => s.run === "npm run e2e");
      const after = steps.slice(suite + 1);
      expect(after.map((s) => s.if)).to.deep.equal(["failure()", "failure()"]);
      expect(after[0]?.run).to.include(
        'kind export logs "$E2E_RUN_DIR/diagnostics/cluster/kind" --name observability',
      );
      expect(after[0]?.run).to.include("kubectl get events --all-namespaces");
      expect(after[1]?.uses).to.match(/^actions\/upload-artifact@/);
      expect(String(after[1]?.with?.["path"])).to.include("${{ runner.temp }}/e2e-run\n");
    });

    it("checks out the whole history, for the upgrade from the merge-base with main", () => {
      expect(job("e2e.yml", "e2e").steps[0]?.with?.["fetch-depth"]).to.equal(0);
    });

    it("installs the Pulumi CLI version the loopback suite builds", () => {
      const build = fs.readFileSync(path.join(PROJECT_DIR, "tools", "e2e", "build-binaries.sh"), "utf8");
      const version = /^PULUMI_VERSION=(\S+)$/m.exec(build)?.[1];
      expect(version).to.match(/^\d+\.\d+\.\d+$/);
      expect(text("e2e.yml")).to.include(`sh -s -- --version ${version ?? ""}`);
    });
  });

  describe("pr.yml", () => {
    it("runs on every pull request with a read-only token, no secrets and no pull_request_target", () => {
      const w = workflow("pr.yml");
      expect(Object.keys(w.on)).to.deep.equal(["pull_request"]);
      expect(w.permissions).to.deep.equal({ contents: "read" });
      for (const j of Object.values(w.jobs)) expect(j.permissions).to.equal(undefined);
      expect(text("pr.yml")).to.not.match(/\$\{\{\s*secrets\./);
      for (const file of WORKFLOWS) expect(text(file), file).to.not.include("pull_request_target");
      expect(w.concurrency).to.deep.equal({
        group: "pull-request-${{ github.event.pull_request.number }}",
        "cancel-in-progress": true,
      });
    });

    it("fetches the upstream files and installs actionlint before the suites, which need them when CI=true", () => {
      const runs = job("pr.yml", "test").steps.map((s) => s.run ?? s.uses ?? "");
      const install = runs.indexOf("bash tools/install-actionlint.sh");
      const fetch = runs.indexOf("npm run fetch:upstream");
      expect(install).to.be.greaterThan(-1);
      expect(fetch).to.be.greaterThan(-1);
      expect(runs.indexOf("npm test")).to.be.greaterThan(Math.max(install, fetch));
      expect(runs.indexOf("npm run test:tools")).to.be.greaterThan(runs.indexOf("npm test"));
    });

    it("diffs the plan of every stack against the merge base and uploads it for the comment", () => {
      const steps = job("pr.yml", "plan-diff").steps;
      const script = steps.map((s) => s.run ?? "").join("\n");
      expect(script).to.include(`for stack in ${STACKS.join(" ")}; do`);
      expect(script).to.include('npm run -s plan:diff -- --stack "$stack" --base HEAD^1');
      const checkout = steps[0];
      expect(checkout?.with?.["fetch-depth"]).to.equal(2);
      const upload = steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
      expect(upload?.with?.["name"]).to.equal("plan-diff");
    });

    it("fails the plan diff when data would be lost, unless the pull request carries the acknowledging label", () => {
      expect(workflow("pr.yml").on).to.deep.equal({
        pull_request: { types: ["opened", "synchronize", "reopened", "labeled", "unlabeled"] },
      });
      const step = job("pr.yml", "plan-diff").steps.find((s) => s.run?.includes("plan:diff") === true);
      expect(
        (step as { env?: Record<string, string> } | undefined)?.env?.["DATA_LOSS_ACKNOWLEDGED"],
      ).to.equal("${{ contains(github.event.pull_request.labels.*.name, 'data-loss-acknowledged') }}");
      const script = step?.run ?? "";
      expect(script).to.include('--base HEAD^1 --fail-on-data-loss --render > "plan-diff/$stack.md"');
      expect(script).to.include('elif [ "$rc" -eq 3 ]; then');
      expect(script).to.include('if [ "$DATA_LOSS_ACKNOWLEDGED" = "true" ]; then');
    });
  });

  describe("plan-diff-comment.yml", () => {
    it("posts from the default branch after pr.yml, without checking out the pull request", () => {
      const w = workflow("plan-diff-comment.yml");
      expect(w.on).to.deep.equal({ workflow_run: { workflows: ["Pull request"], types: ["completed"] } });
      expect(workflow("pr.yml").name).to.equal("Pull request");
      expect(w.permissions).to.deep.equal({});
      const comment = job("plan-diff-comment.yml", "comment");
      expect(comment.permissions).to.deep.equal({ actions: "read", "pull-requests": "write" });
      expect(comment.steps.some((s) => s.uses?.startsWith("actions/checkout@"))).to.equal(false);
      expect(comment.steps.some((s) => s.run !== undefined)).to.equal(false);
    });

    it("updates one comment found by its hidden marker, for the pull request whose head was diffed", () => {
      const script = String(job("plan-diff-comment.yml", "comment").steps[1]?.with?.["script"]);
      expect(script).to.include('const marker = "<!-- observability-stack:plan-diff -->";');
      expect(script).to.include("pr.head.sha !== process.env.HEAD_SHA");
      expect(script).to.include("github.rest.issues.updateComment");
    });
  });

  describe("pulumi.yml", () => {
    it("previews every stack on pull requests from this repository only, commenting the diff", () => {
      const preview = job("pulumi.yml", "preview");
      expect(preview.if).to.include("github.event.pull_request.head.repo.full_name == github.repository");
      expect(preview.permissions).to.deep.equal({ contents: "read", "pull-requests": "write" });
      expect(preview.strategy?.matrix?.stack).to.deep.equal(STACKS);
      const pulumi = preview.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
      expect(pulumi?.with).to.deep.include({
        command: "preview",
        "stack-name": "${{ matrix.stack }}",
        diff: true,
        refresh: true,
        "comment-on-pr": true,
        "edit-pr-comment": true,
      });
    });

    it("runs pulumi up of dev on pushes to main, one at a time and never cancelled", () => {
      const w = workflow("pulumi.yml");
      expect(w.on["push"]).to.deep.equal({ branches: ["main"] });
      const up = job("pulumi.yml", "up-dev");
      expect(up.if).to.equal("github.event_name == 'push' && github.ref == 'refs/heads/main'");
      expect(up.permissions).to.deep.equal({ contents: "read" });
      expect(up.concurrency).to.deep.equal({ group: "pulumi-up-dev", "cancel-in-progress": false });
      const pulumi = up.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
      expect(pulumi?.with).to.deep.include({ command: "up", "stack-name": "dev" });
    });

    it("repairs an interrupted up of dev before the up, with the job's timeout as the lock's age limit", () => {
      const up = job("pulumi.yml", "up-dev");
      const repair = up.steps.findIndex((s) => s.run?.includes("npm run recover -- --stack dev") === true);
      const pulumi = up.steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@") === true);
      expect(repair, "the repair step").to.be.greaterThan(-1);
      expect(repair, "the repair runs before the up").to.be.lessThan(pulumi);
      expect(up.steps[repair]?.run).to.include(`--lock-stale-after ${String(up["timeout-minutes"])}`);
      const version = up.steps[pulumi]?.with?.["pulumi-version"];
      const install = up.steps.find((s) => s.run?.includes("get.pulumi.com") === true);
      expect(install?.run, "the repair's CLI is the up's version").to.include(`--version ${String(version)}`);
    });
  });
});
