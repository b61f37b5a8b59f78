/**
 * `npm run images -- --stack <name> [--pairs | --json]`: every image the stack pulls, for the job
 * that fills the mirror. Computed from the program's values under mocks (no cluster, no network)
 * and from the chart image list the mirror values come from, so the two cannot disagree.
 * Default: one image per line, as the cluster pulls it. `--pairs`: `<upstream> <as pulled>` per
 * line, for a copy loop (`crane copy`, `skopeo copy`). `--json`: with what pulls each image.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseCli, runMain } from "./lib/cli";
import { stackImages } from "./lib/images";
import { findProjectDir, readStackConfig, StackFileError } from "./lib/stack-file";

const USAGE = "usage: npm run images -- --stack <name> [--pairs | --json]";

async function main(argv: string[]): Promise<number> {
  const args = parseCli(argv, { usage: USAGE, values: ["stack"], flags: ["pairs", "json"] });
  if (args.kind === "exit") return args.code;
  try {
    const images = await stackImages(readStackConfig(findProjectDir(__dirname), args.values.stack));
    if (args.flags.json) {
      process.stdout.write(`${JSON.stringify(images, null, 2)}\n`);
    } else {
      const lines = images.map((i) => (args.flags.pairs ? `${i.source} ${i.image}` : i.image));
      process.stdout.write(`${lines.join("\n")}\n`);
    }
    return 0;
  } catch (err) {
    // A config mistake gets its message alone, as `npm run plan` does.
    if (pulumi.RunError.isInstance(err) || err instanceof StackFileError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

runMain(() => main(process.argv.slice(2)));
