/**
 * What a chart pin is, and where a release fetches it from. The pins themselves live with the
 * part that installs the chart (`components/<part>/charts.ts`, each pin beside the images it
 * pulls); components/parts.ts folds them into the one catalogue (CHARTS) that tools and tests read.
 */

export interface ChartPin {
  /** The public Helm repository that serves the chart. */
  repo: string;
  /** The chart's name in that repository. */
  chart: string;
  /** The pinned chart version. */
  version: string;
}

/** The fields of a Helm Release that say where its chart comes from. */
export interface ChartSource {
  chart: string;
  version: string;
  repositoryOpts?: { repo: string };
}

/**
 * Where to fetch a chart: its public repository, or the mirror when one is set. A Helm
 * repository mirror serves every chart under its own name; an OCI mirror holds each chart at
 * `<prefix>/<chart>`.
 */
export function chartSource(pin: ChartPin, mirror?: string): ChartSource {
  if (mirror === undefined) {
    return { chart: pin.chart, version: pin.version, repositoryOpts: { repo: pin.repo } };
  }
  if (mirror.startsWith("oci://")) {
    return { chart: `${mirror}/${pin.chart}`, version: pin.version };
  }
  return { chart: pin.chart, version: pin.version, repositoryOpts: { repo: mirror } };
}
