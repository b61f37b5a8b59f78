import { PROMETHEUS_DATASOURCE_UID } from "./datasource";
import { DashboardsConfig } from "./config";

/** The annotation whose value names a dashboard ConfigMap's Grafana folder. */
export const FOLDER_ANNOTATION = "grafana_folder";
/** The Grafana chart's dashboard provider for the downloaded community dashboards. */
export const COMMUNITY_PROVIDER = "community";
/** Where the download init container writes them (the chart's convention for a provider). */
export const COMMUNITY_PATH = `/var/lib/grafana/dashboards/${COMMUNITY_PROVIDER}`;

/**
 * Grafana's dashboard sidecar settings for folders: the sidecar writes a ConfigMap into the
 * sub-directory its `grafana_folder` annotation names, and Grafana turns directories into
 * folders. kube-prometheus-stack's own dashboards get the chart folder through the same annotation.
 */
export function sidecarDashboardValues(d: DashboardsConfig): Record<string, unknown> {
  return {
    folderAnnotation: FOLDER_ANNOTATION,
    annotations: { [FOLDER_ANNOTATION]: d.chartFolder },
    provider: { foldersFromFilesStructure: true },
  };
}

/**
 * The Grafana chart values that download the community dashboards from grafana.com: one file
 * provider in the community folder, and per dashboard its id, pinned revision and the
 * replacement of its `${DS_PROMETHEUS}`-style input by our Prometheus uid. The chart's
 * download-dashboards init container fetches them when the pod starts, inside the cluster;
 * the program itself needs no network. Empty when there is nothing to download.
 */
export function communityDashboardValues(d: DashboardsConfig): Record<string, unknown> {
  const entries = Object.entries(d.community);
  if (!d.enabled || entries.length === 0) return {};
  return {
    // The chart looks this provider file up by exactly this key to find the download path.
    dashboardProviders: {
      "dashboardproviders.yaml": {
        apiVersion: 1,
        providers: [
          {
            name: COMMUNITY_PROVIDER,
            orgId: 1,
            folder: d.communityFolder,
            type: "file",
            disableDeletion: true,
            allowUiUpdates: false,
            options: { path: COMMUNITY_PATH },
          },
        ],
      },
    },
    dashboards: {
      [COMMUNITY_PROVIDER]: Object.fromEntries(
        entries.map(([name, c]) => [
          name,
          {
            gnetId: c.gnetId,
            revision: c.revision,
            datasource: [{ name: c.datasourceInput, value: PROMETHEUS_DATASOURCE_UID }],
          },
        ]),
      ),
    },
  };
}
