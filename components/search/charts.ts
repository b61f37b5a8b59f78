/**
 * The charts the search part installs, each pinned beside every image it pulls at that version:
 * a chart bump touches its entry here alone. components/parts.ts folds every part's charts into
 * the catalogue (CHARTS). test/catalogue.test.ts checks each pin against the archive's own Chart.yaml;
 * `npm run bump` changes one (docs/upgrades.md, "Upgrading a chart").
 */
import { Chart, ImageRef } from "../kit";

export const SEARCH_CHARTS = {
  // The registry ECK derives the Elastic Stack's images from when a resource names none.
  eckOperator: {
    repo: "https://helm.elastic.co",
    chart: "eck-operator",
    version: "3.5.0",
    images: [
      {
        role: "eck-operator",
        image: "docker.elastic.co/eck/eck-operator:3.5.0",
        key: { repository: "image" },
      },
    ],
    pullSecrets: [{ path: "imagePullSecrets", shape: "objects" }],
    mirrorValues: (registry) => ({ config: { containerRegistry: `${registry}/docker.elastic.co` } }),
  },
  eckStack: {
    repo: "https://helm.elastic.co",
    chart: "eck-stack",
    version: "0.20.0",
    images: [],
    pullSecrets: [],
  },
} as const satisfies Record<string, Chart>;

/** The Elastic Stack images the program's own ECK resources and Jobs run, at a given version. */
export function elasticImage(product: "elasticsearch" | "kibana" | "filebeat", version: string): ImageRef {
  const path = {
    elasticsearch: "elasticsearch/elasticsearch",
    kibana: "kibana/kibana",
    filebeat: "beats/filebeat",
  };
  return { registry: "docker.elastic.co", repository: path[product], tag: version };
}
