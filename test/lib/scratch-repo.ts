/**
 * A scratch git repository holding a copy of the project, for the tools that work through git
 * (plan:diff against a base revision). Git runs without the machine's or user's config, so hooks
 * or signing cannot interfere.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "./helpers";

/** The environment git and the tools run with in the scratch repository. */
export const GIT_ENV = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" };

/** Copies the project (without node_modules, bin and git metadata) into a new folder. */
export function copyProject(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if ([".git", "node_modules", "bin", ".pulumi"].includes(entry.name)) continue;
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) copyProject(src, dst);
    else if (entry.isFile()) fs.copyFileSync(src, dst);
  }
}

/** Runs git in `repo` as a test user; throws with git's message when it fails. Returns its output. */
export function gitIn(repo: string, ...args: string[]): string {
  const r = spawnSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.invalid", ...args], {
    cwd: repo,
    encoding: "utf8",
    env: GIT_ENV,
  });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Gives the scratch repository the project's install and compiled tools (untracked). */
export function linkBuild(repo: string): void {
  fs.symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(repo, "node_modules"), "dir");
  fs.cpSync(path.join(PROJECT_DIR, "bin"), path.join(repo, "bin"), { recursive: true });
}
