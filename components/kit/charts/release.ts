import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ImagesConfig } from "../config/images";
import { ChartsConfig } from "../config/platform";
import { chartSource } from "./catalogue";
import { Chart, withImages } from "./images";

/** What every Helm release of the stack needs to know. */
export interface ReleaseArgs {
  /** The chart, as its part pins it (its `charts.ts`). */
  chart: Chart;
  /** The Helm release name: charts key resource names and selectors on it, so it is always explicit. */
  releaseName: string;
  /** The namespace the release installs into. */
  namespace: pulumi.Input<string>;
  /** The chart's values, built by a pure values function. */
  values: pulumi.Input<Record<string, unknown>>;
  /** Where charts come from and how long Helm waits (stack config `charts`). */
  charts: ChartsConfig;
  /** Where images come from (stack config `images`): merged into the values, per chart. */
  images: ImagesConfig;
}

/**
 * A Helm release installed by Helm itself (hooks run, `helm ls` shows it), waiting for its
 * resources so that whatever depends on it starts after it is ready. A failed install or upgrade
 * is rolled back (atomic) instead of leaving "another operation is in progress" behind.
 */
export function helmRelease(
  name: string,
  args: ReleaseArgs,
  opts: pulumi.CustomResourceOptions,
): k8s.helm.v3.Release {
  return new k8s.helm.v3.Release(
    name,
    {
      name: args.releaseName,
      namespace: args.namespace,
      ...chartSource(args.chart, args.charts.mirror),
      // An Output keeps its secretness through apply; plain values stay plain.
      values: pulumi.output(args.values).apply((v) => withImages(args.chart, v, args.images)),
      atomic: true,
      cleanupOnFail: true,
      createNamespace: false,
      maxHistory: 10,
      timeout: args.charts.timeoutSeconds,
    },
    opts,
  );
}
