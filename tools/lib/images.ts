import { CHARTS } from "../../components/core";
import {
  Chart,
  ConfigProblem,
  formatImage,
  ImagesConfig,
  parseImage,
  readImages,
  releaseImages,
  Section,
} from "../../components/kit";
import { imagesOf } from "./rendered-images";
import { DeclaredResource, runProgram } from "./run-program";
import { StackConfigInput } from "./stack-file";

const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

/** One image the stack pulls. */
export interface StackImage {
  /** The reference the cluster pulls, under the mirror when `images.registry` is set. */
  image: string;
  /** Where the mirror job copies it from: the upstream reference. */
  source: string;
  /** What pulls it: `<release>: <role>` or `<Kind>/<name> <container>`, sorted. */
  pulledBy: string[];
}

/** The stack's `images` setting, read from the config the program is handed. */
export function imagesSetting(input: StackConfigInput): ImagesConfig {
  const text = input.config["observability:images"];
  const problems: ConfigProblem[] = [];
  const images = readImages(
    new Section("images", text === undefined ? undefined : JSON.parse(text), problems),
  );
  if (problems.length > 0) throw new Error(problems.map((p) => `${p.path}: ${p.problem}`).join("\n"));
  return images;
}

/** A release's chart in the catalogue (`loki`, or `oci://mirror/charts/loki` from an OCI mirror). */
export function chartOf(chart: string): Chart {
  const name = chart.split("/").pop() ?? chart;
  const pin = Object.values(CHARTS).find((c) => c.chart === name);
  if (pin === undefined) throw new Error(`chart ${chart} is not in the catalogue`);
  return pin;
}

/**
 * Every image the declared resources pull: per Helm release, the chart's images that its values
 * switch on (CHART_IMAGES, the list the mirror values come from); per object the program declares
 * itself (ECK resources, Jobs), the images its pod specs name.
 */
export function declaredImages(resources: readonly DeclaredResource[], images: ImagesConfig): StackImage[] {
  const byImage = new Map<string, Set<string>>();
  const add = (image: string, by: string) => {
    const set = byImage.get(image) ?? new Set<string>();
    set.add(by);
    byImage.set(image, set);
  };
  for (const r of resources) {
    if (r.type === HELM_RELEASE) {
      const values = (r.inputs["values"] ?? {}) as Record<string, unknown>;
      for (const img of releaseImages(chartOf(String(r.inputs["chart"])), values, images)) {
        add(img.image, `${String(r.inputs["name"])}: ${img.role}`);
      }
    } else if (r.custom) {
      for (const img of imagesOf(r.inputs)) add(img.image, img.from);
    }
  }
  const prefix = images.registry !== undefined ? `${images.registry}/` : undefined;
  return [...byImage.entries()]
    .map(([image, by]) => ({
      image,
      source:
        prefix !== undefined && image.startsWith(prefix)
          ? image.slice(prefix.length)
          : formatImage(parseImage(image)),
      pulledBy: [...by].sort(),
    }))
    .sort((a, b) => (a.image < b.image ? -1 : a.image > b.image ? 1 : 0));
}

/** Runs the program under mocks with the stack's config and lists every image it pulls. */
export async function stackImages(input: StackConfigInput): Promise<StackImage[]> {
  const run = await runProgram(input);
  return declaredImages(run.resources, imagesSetting(input));
}
