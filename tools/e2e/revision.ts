import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "./engine";

/** An earlier revision of the project, checked out and compiled, for the upgrade test. */
export interface Revision {
  /** The checkout's root (a git worktree); its program is compiled into `<root>/bin`. */
  root: string;
  sha: string;
  short: string;
  /** Which revision this is and why, for the test output. */
  description: string;
}

function git(...args: string[]): string {
  return execFileSync("git", ["-C", REPO_ROOT, ...args], { encoding: "utf8" }).trim();
}

/**
 * The revision to upgrade from: E2E_BASE_REF when set, otherwise the merge-base of HEAD with
 * `main` (or `origin/main`), checked out as a detached git worktree under the run directory
 * (tools/e2e/run.sh removes it), with this checkout's node_modules linked in and its TypeScript
 * compiled by its own tsconfig.
 */
export function prepareRevision(runDir: string): Revision {
  const head = git("rev-parse", "HEAD");
  const explicit = process.env["E2E_BASE_REF"];
  let sha: string;
  let why: string;
  if (explicit !== undefined && explicit !== "") {
    sha = git("rev-parse", `${explicit}^{commit}`);
    why = `E2E_BASE_REF=${explicit}`;
  } else {
    const main = ["main", "origin/main"].find((ref) => {
      try {
        git("rev-parse", "--verify", "--quiet", ref);
        return true;
      } catch {
        return false;
      }
    });
    if (main === undefined) throw new Error("no main branch to take the merge-base with: set E2E_BASE_REF");
    sha = git("merge-base", "HEAD", main);
    why = `merge-base of HEAD with ${main}`;
  }
  const short = sha.slice(0, 7);
  const same =
    sha === head
      ? "; it is HEAD itself (no commits of this branch beyond main), so the upgrade re-applies the same revision: it proves a second up of a deployed stack changes nothing, not an upgrade between revisions"
      : "";
  const root = path.join(runDir, `base-${short}`);
  if (!fs.existsSync(root)) {
    git("worktree", "add", "--detach", root, sha);
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(root, "node_modules"));
    execFileSync(
      process.execPath,
      [
        path.join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc"),
        "-p",
        path.join(root, "tsconfig.json"),
      ],
      {
        stdio: "inherit",
      },
    );
  }
  return { root, sha, short, description: `${short} (${why}${same})` };
}
