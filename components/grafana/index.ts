export {
  datasourceConfigMap,
  datasourceSecret,
  datasourceProvisioning,
  DATASOURCE_LABEL,
  DASHBOARD_LABEL,
  PROMETHEUS_DATASOURCE_UID,
} from "./datasource";
export type { GrafanaDatasource } from "./datasource";
