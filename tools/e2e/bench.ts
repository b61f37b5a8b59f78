import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { EventLog, openStack, readOverlay, REPO_ROOT, since, urnName } from "./engine";
import { Kube } from "./kube";

/**
 * `npm run bench:e2e` (through tools/e2e/run.sh): wall times of the dev stack on the loopback
 * test cluster through the real engine (up, a no-change preview, destroy), then the same Helm
 * releases with the same values installed one after another with `helm upgrade --install --wait`,
 * as a shell script or helmfile would, and the ratio. Figures, not a test: it fails only when a
 * step fails.
 */

interface ReleaseInputs {
  name: string;
  namespace: string;
  chart: string;
  version: string;
  repositoryOpts?: { repo?: string };
  values?: Record<string, unknown>;
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

async function main(): Promise<void> {
  const kube = Kube.fromEnv();
  const work = path.join(kube.runDir, "bench");
  const stack = await openStack({
    stack: "dev",
    backendStackName: "dev-bench",
    root: REPO_ROOT,
    workDir: path.join(work, "stack"),
    overlay: readOverlay("dev"),
  });

  const figures: [string, number][] = [];
  const log = new EventLog();
  let start = Date.now();
  const up = await stack.up({ onEvent: log.onEvent, color: "never" });
  figures.push(["pulumi up (dev)", since(start)]);
  console.log(`up: ${JSON.stringify(up.summary.resourceChanges)}`);

  // The releases in the order the engine created them, with the inputs it sent.
  const state = (await stack.exportStack()).deployment as {
    resources?: { urn: string; type: string; inputs?: ReleaseInputs }[];
  };
  const order = log.steps
    .filter((s) => s.phase === "outputs" && s.type === "kubernetes:helm.sh/v3:Release")
    .map((s) => s.urn);
  const releases = order.map((urn) => {
    const r = (state.resources ?? []).find((x) => x.urn === urn)?.inputs;
    if (r === undefined) throw new Error(`no state for ${urn}`);
    if (JSON.stringify(r.values ?? {}).includes(SECRET_SIG))
      throw new Error(`${urnName(urn)}: its values hold a secret`);
    return r;
  });

  start = Date.now();
  await stack.preview({ expectNoChanges: true, color: "never" });
  figures.push(["pulumi preview, no change (dev)", since(start)]);

  start = Date.now();
  await stack.destroy({ color: "never" });
  figures.push(["pulumi destroy (dev)", since(start)]);

  // A fresh start for Helm too: the CRDs destroy leaves on purpose (helm.sh/resource-policy: keep)
  // would spare istio-base and eck-operator their CRD installs.
  for (const crd of await kube.list("/apis/apiextensions.k8s.io/v1/customresourcedefinitions")) {
    if (crd.metadata.annotations?.["helm.sh/resource-policy"] === "keep") {
      await kube.request(
        "DELETE",
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
      );
    }
  }

  // The same releases, one after another, the way a script would.
  fs.mkdirSync(work, { recursive: true });
  start = Date.now();
  for (const r of releases) {
    const valuesFile = path.join(work, `${r.name}.values.json`);
    fs.writeFileSync(valuesFile, JSON.stringify(r.values ?? {}));
    const t = Date.now();
    execFileSync(
      "helm",
      [
        "upgrade",
        "--install",
        r.name,
        r.chart,
        "--repo",
        r.repositoryOpts?.repo ?? "",
        "--version",
        r.version,
        "--namespace",
        r.namespace,
        "--create-namespace",
        "--values",
        valuesFile,
        "--wait",
        "--timeout",
        "5m",
      ],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    console.log(`helm upgrade --install --wait ${r.namespace}/${r.name}: ${since(t)}s`);
  }
  figures.push([
    `helm upgrade --install --wait, ${releases.length} releases one after another`,
    since(start),
  ]);

  start = Date.now();
  for (const r of [...releases].reverse()) {
    execFileSync("helm", ["uninstall", r.name, "--namespace", r.namespace, "--wait"], { stdio: "ignore" });
  }
  figures.push(["helm uninstall --wait, in reverse order", since(start)]);

  console.log("\nBenchmark (dev stack, loopback test cluster, kwok pods):");
  for (const [what, s] of figures) console.log(`  ${what.padEnd(72)} ${s.toFixed(1)}s`);
  const pulumiUp = figures[0]?.[1] ?? 0;
  const helmUp = figures[3]?.[1] ?? 1;
  console.log(`  ratio pulumi up / sequential helm installs: ${(pulumiUp / helmUp).toFixed(2)}`);
  console.log(
    "  (pulumi up also creates the namespaces, Secrets, ConfigMaps and custom resources the program declares besides the releases; helm --create-namespace makes bare namespaces)",
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
