import { expect } from "chai";
import { spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "../lib/helpers";
import { copyProject, GIT_ENV, gitIn, linkBuild } from "../lib/scratch-repo";

describe("plan:diff --fail-on-data-loss", function () {
  this.timeout(120000);
  let root = "";
  let repo = "";
  const git = (...args: string[]) => gitIn(repo, ...args);

  function cli(...args: string[]): SpawnSyncReturns<string> {
    return spawnSync(process.execPath, [path.join(repo, "bin", "tools", "plan-diff.js"), ...args], {
      cwd: repo,
      encoding: "utf8",
      env: GIT_ENV,
    });
  }

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-data-"));
    repo = path.join(root, "repo");
    copyProject(PROJECT_DIR, repo);
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-q", "-m", "the project");
    linkBuild(repo);
    // Loki switched off in dev, which retains no data: its release and namespace would be deleted.
    const dev = path.join(repo, "Pulumi.dev.yaml");
    fs.writeFileSync(
      dev,
      `${fs.readFileSync(dev, "utf8").trimEnd()}\n  observability:loki:\n    enabled: false\n`,
    );
  });

  after(() => {
    if (root !== "") fs.rmSync(root, { recursive: true, force: true });
  });

  it("exits 3 after printing the diff when data would be lost, and 0 without the flag", () => {
    const failing = cli("--stack", "dev", "--base", "HEAD", "--fail-on-data-loss");
    expect(failing.stderr).to.equal(
      'plan:diff: stack dev: a resource that holds data would be replaced or deleted (see "Replaced or deleted")\n',
    );
    expect(failing.status).to.equal(3);
    expect(failing.stdout).to.include(":warning: **Data would be lost.**");
    expect(failing.stdout).to.include("- **delete** `loki` `kubernetes:helm.sh/v3:Release`");
    expect(failing.stdout).to.include("- **delete** `ns-logging` `kubernetes:core/v1:Namespace`");
    const plain = cli("--stack", "dev", "--base", "HEAD");
    expect(plain.status).to.equal(0);
    expect(plain.stdout).to.equal(failing.stdout);
  });
});
