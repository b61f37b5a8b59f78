import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { PROJECT_DIR } from "./helpers";

/** The example shop's `signals` config, as Pulumi.dev.yaml holds it. */
export function exampleSignalsRaw(): unknown {
  const stack = parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8")) as {
    config: Record<string, unknown>;
  };
  return stack.config["observability:signals"];
}
