export {
  datasourceConfigMap,
  datasourceSecret,
  datasourceProvisioning,
  DATASOURCE_LABEL,
  DATASOURCES_DIR,
  DASHBOARD_LABEL,
  PROMETHEUS_DATASOURCE_UID,
} from "./datasource";
export type { GrafanaDatasource } from "./datasource";
export {
  stackDatasources,
  pruneLinks,
  ALERTMANAGER_DATASOURCE_UID,
  LOKI_DATASOURCE_UID,
  JAEGER_DATASOURCE_UID,
  ELASTICSEARCH_DATASOURCE_UID,
  lokiTraceDerivedFields,
  TRACE_ID_PATTERN,
} from "./datasources";
export type { StackDatasources } from "./datasources";
export {
  bigNumber,
  classicDashboard,
  graph,
  labelValues,
  promInstant,
  promRange,
  renderDashboard,
  withRows,
} from "./dashboard-kit";
export type { ClassicDashboard, DatasourceRef, Row, Size, Step } from "./dashboard-kit";
export { projectDashboards, serviceOverview, stackHealth, logsView, PROJECT_TAG } from "./dashboards";
export type { DashboardFile, ProjectDashboard, ProjectDashboardsArgs } from "./dashboards";
export {
  communityDashboards,
  communityDashboardFile,
  communityDashboardUrl,
  offlineCommunityDashboardFile,
  sidecarDashboardValues,
  DashboardFetchError,
  FOLDER_ANNOTATION,
  OFFLINE_DASHBOARDS_ENV,
} from "./community-dashboards";
export type { CommunityDashboardFile, Fetcher } from "./community-dashboards";
export { GrafanaProvisioning, dashboardConfigMap, DATASOURCES_CONFIGMAP } from "./grafana-provisioning";
export type { GrafanaProvisioningArgs } from "./grafana-provisioning";
export { grafanaRuns, readDashboards, readGrafana, SEED_COMMUNITY_DASHBOARDS } from "./config";
export type { CommunityDashboard, DashboardsConfig, GrafanaConfig } from "./config";
export { grafanaPart } from "./part";
export { COMMUNITY_DASHBOARDS_EXTRA } from "./part";
export { communityConfigMapName } from "./config";
