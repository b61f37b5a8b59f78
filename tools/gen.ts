import * as fs from "fs";
import * as path from "path";
import { STACK_KEYS } from "../components/core";
import { formatMarkdown, renderConfigReference, renderPulumiYaml } from "./lib/config-docs";
import { findProjectDir } from "./lib/stack-file";

// Writes what comes from the config declarations: Pulumi.yaml and docs/config.md.
async function main(): Promise<void> {
  const dir = findProjectDir(__dirname);
  const reference = path.join(dir, "docs", "config.md");
  const files: [string, string][] = [
    [path.join(dir, "Pulumi.yaml"), renderPulumiYaml(STACK_KEYS)],
    [reference, await formatMarkdown(renderConfigReference(STACK_KEYS), reference)],
  ];
  for (const [file, text] of files) {
    fs.writeFileSync(file, text);
    console.log(`wrote ${path.relative(dir, file)}`);
  }
}

void main();
