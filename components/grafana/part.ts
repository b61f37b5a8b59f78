import * as pulumi from "@pulumi/pulumi";
import { DeclareContext, isTrue, Part, PartReadContext } from "../kit";
import { CommunityDashboardFile } from "./community-dashboards";
import {
  DASHBOARDS_KEY,
  DashboardsConfig,
  GRAFANA_KEY,
  GrafanaConfig,
  grafanaRuns,
  readDashboards,
  readGrafana,
} from "./config";
import { GrafanaProvisioning, GrafanaProvisioningArgs } from "./grafana-provisioning";

/** The config keys the grafana part reads. */
export interface GrafanaSlice {
  grafana: GrafanaConfig;
  /** Grafana's datasources and dashboards. */
  dashboards: DashboardsConfig;
}

/** What the grafana part reads of the stack config. */
export type GrafanaView = GrafanaSlice &
  GrafanaProvisioningArgs["config"] & { prometheus: { enabled: boolean } };

/** Which of the grafana part's pieces run. */
export interface GrafanaRuns {
  /** Grafana runs only inside kube-prometheus-stack. */
  grafana: boolean;
  /** The project's and the community dashboards: Grafana's. */
  dashboards: boolean;
}

declare module "../kit/part" {
  interface Provided {
    /** What Grafana's datasources point at (releases): it provisions them after these. */
    datasourceBackends?: pulumi.Resource[];
  }
}

/** The key under which the program hands over the community dashboards it fetched. */
export const COMMUNITY_DASHBOARDS_EXTRA = "communityDashboards";

/** Grafana's address, as the monitoring part's services give it. */
interface GrafanaService {
  namespace: string;
  service: string;
  portForward: string;
  url: string;
}

function declareGrafana(ctx: DeclareContext<GrafanaView> & { runs: GrafanaRuns }): void {
  const service = ctx.services["grafana"] as GrafanaService | undefined;
  const adminSecret = ctx.provided.grafanaAdminSecret;
  if (service === undefined || adminSecret === undefined) return;
  const community = ctx.extras[COMMUNITY_DASHBOARDS_EXTRA] as readonly CommunityDashboardFile[] | undefined;
  // Datasources and dashboards are plain ConfigMaps the sidecars pick up whenever they appear.
  const grafana = new GrafanaProvisioning(
    `${ctx.name}-grafana`,
    {
      namespace: ctx.owned(service.namespace),
      config: ctx.config,
      datasources: { all: [...ctx.datasources.all], provisioned: [...ctx.datasources.provisioned] },
      stackNamespaces: ctx.stackNamespaces,
      ...(community !== undefined ? { communityDashboards: community } : {}),
      // After the releases behind the datasources, so Grafana never lists an empty one.
      after: ctx.provided.datasourceBackends ?? [],
    },
    { parent: ctx.parent },
  );
  ctx.endpoints["grafana"] = {
    ...service,
    adminSecret: {
      name: adminSecret.name,
      userKey: adminSecret.userKey,
      passwordKey: adminSecret.passwordKey,
    },
    datasources: ctx.datasources.uids,
    dashboards: grafana.dashboardIndex.map((d) => ({
      title: d.title,
      folder: d.folder,
      url: `${service.url}/d/${d.uid}`,
    })),
  };
  // Reads the admin password from its Secret; the program itself never outputs it.
  ctx.endpoints["grafanaAdminPasswordCommand"] =
    `kubectl -n ${service.namespace} get secret ${adminSecret.name} -o jsonpath='{.data.${adminSecret.passwordKey}}' | base64 -d`;
}

/** Grafana's datasources and dashboards (Grafana itself runs in the monitoring part's chart). */
export const grafanaPart = {
  name: "grafana",
  charts: {},
  sizing: { laptop: {}, production: {} },
  outputs: ["grafana", "grafanaAdminPasswordCommand"],
  config: {
    keys: { grafana: GRAFANA_KEY, dashboards: DASHBOARDS_KEY },
    read(ctx: PartReadContext): GrafanaSlice {
      return { grafana: readGrafana(ctx.at("grafana")), dashboards: readDashboards(ctx.at("dashboards")) };
    },
    check(config: GrafanaView, ctx: PartReadContext): void {
      const { grafana, dashboards, prometheus } = config;
      const explicitlyOn = (key: string) =>
        isTrue((ctx.raw[key] as { enabled?: unknown } | undefined)?.enabled);
      if (!prometheus.enabled && grafana.enabled && explicitlyOn("grafana")) {
        ctx.problems.push({
          path: "grafana.enabled",
          problem:
            "is true but prometheus.enabled is false, and Grafana is installed by kube-prometheus-stack",
          fix: "set `pulumi config set --path prometheus.enabled true`, or `pulumi config set --path grafana.enabled false`",
        });
      }
      if (grafana.replicas > 1 && grafana.storage !== undefined) {
        ctx.problems.push({
          path: "grafana.replicas",
          problem: `is ${grafana.replicas} with grafana.storage set, but replicas cannot share one ReadWriteOnce SQLite volume`,
          fix: "set `pulumi config set --path grafana.replicas 1`, or remove grafana.storage",
        });
      }
      if (!grafana.enabled && dashboards.enabled && explicitlyOn("dashboards")) {
        ctx.problems.push({
          path: "dashboards.enabled",
          problem: "is true but grafana.enabled is false, and the dashboards are Grafana's",
          fix: "set `pulumi config set --path grafana.enabled true`, or `pulumi config set --path dashboards.enabled false`",
        });
      }
    },
  },
  runs(config: GrafanaView): GrafanaRuns {
    const grafana = grafanaRuns(config);
    return { grafana, dashboards: grafana && config.dashboards.enabled };
  },
  // After every release a datasource points at.
  declare: [{ order: 90, declare: declareGrafana }],
} satisfies Part<GrafanaSlice, GrafanaRuns, GrafanaView>;
