import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "./helpers";

/** The script that installs actionlint; it holds the one pinned version. */
export const INSTALL_SCRIPT = path.join(PROJECT_DIR, "tools", "install-actionlint.sh");

export function actionlintVersion(): string {
  const match = /^ACTIONLINT_VERSION=(\d+\.\d+\.\d+)$/m.exec(fs.readFileSync(INSTALL_SCRIPT, "utf8"));
  if (match?.[1] === undefined) throw new Error(`${INSTALL_SCRIPT} pins no ACTIONLINT_VERSION=x.y.z`);
  return match[1];
}

/** Where the install script puts the binary: `${XDG_CACHE_HOME:-$HOME/.cache}/observability-stack/...`. */
export function actionlintPath(): string {
  const xdg = process.env["XDG_CACHE_HOME"];
  const cache = xdg !== undefined && xdg !== "" ? xdg : path.join(os.homedir(), ".cache");
  return path.join(cache, "observability-stack", `actionlint-${actionlintVersion()}`, "actionlint");
}
