export { ElasticStack, ECK_RELEASE } from "./elastic-stack";
export type { ElasticStackArgs, ElasticEndpoints, JaegerElasticsearchAccess } from "./elastic-stack";
export { eckOperatorValues, ECK_OPERATOR_CONTAINERS } from "./eck-operator-values";
export type { EckOperatorValuesArgs } from "./eck-operator-values";
export {
  elasticsearchManifest,
  kibanaManifest,
  logReplicas,
  elasticsearchContainers,
  KIBANA_CONTAINERS,
  ELASTICSEARCH_NAME,
  KIBANA_NAME,
  ELASTICSEARCH_SERVICE,
  KIBANA_SERVICE,
  ELASTIC_USER_SECRET,
  ELASTICSEARCH_CA_SECRET,
  DATA_VOLUME,
} from "./elasticsearch";
export type { ElasticsearchArgs, KibanaArgs } from "./elasticsearch";
export {
  filebeatConfig,
  filebeatManifest,
  FILEBEAT_CONTAINERS,
  FILEBEAT_CLUSTER_RULES,
  FILEBEAT_NAME,
  FILEBEAT_SERVICE_ACCOUNT,
} from "./filebeat";
export type { FilebeatArgs } from "./filebeat";
export {
  ilmPolicyBody,
  indexTemplateBody,
  ilmJobManifest,
  shortHash,
  ILM_SCRIPT,
  ILM_POLICY,
  LOG_DATA_STREAM,
  LOG_INDEX_TEMPLATE,
  LOG_INDEX_PATTERN,
} from "./ilm";
export type { IlmJobArgs } from "./ilm";
export {
  elasticsearchDatasource,
  elasticsearchUrl,
  escapeProvisioningValue,
  readerRolesYaml,
  readerRoles,
  rolesYaml,
  ELASTICSEARCH_DATASOURCE_UID,
  GRAFANA_CA_COPY,
  GRAFANA_DATASOURCE_SECRET,
  GRAFANA_READER_ROLE,
  GRAFANA_READER_SECRET,
  GRAFANA_READER_USER,
  ROLES_SECRET,
} from "./grafana-access";
export { readElastic, ELASTIC_ROLES, ELASTIC_VERSIONS } from "./config";
export type { ElasticConfig, ElasticNodeSet } from "./config";
export { jaegerRole, jaegerIndexPattern, JAEGER_ES_ROLE, JAEGER_USER_SECRET } from "./jaeger-access";
export {
  caCopyJobManifest,
  caCopyCronJobManifest,
  caCopyRules,
  caCopyServiceAccount,
  CA_COPY_SCRIPT,
} from "./ca-copy";
export type { CaCopyArgs, CaCopyReader, CaCopyTarget } from "./ca-copy";
export { searchPart } from "./part";
export { SEARCH_CHARTS, elasticImage } from "./charts";
