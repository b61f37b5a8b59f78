import { stringify } from "yaml";
import {
  DATASOURCE_LABEL,
  DATASOURCES_DIR,
  ELASTICSEARCH_DATASOURCE_UID,
  GrafanaDatasource,
} from "../grafana";
import { ELASTICSEARCH_SERVICE } from "./elasticsearch";
import { LOG_INDEX_PATTERN } from "./ilm";

/**
 * Grafana reads Elasticsearch as its own user, not as `elastic`: a file-realm user whose password
 * the program generates (so it can hand it to Grafana without copying ECK's Secret across
 * namespaces), with a role that can only read the log indices.
 */
export const GRAFANA_READER_USER = "grafana-reader";
export const GRAFANA_READER_ROLE = "grafana_logs_reader";
/** Secrets in the cluster's namespace that `spec.auth` points ECK at. */
export const GRAFANA_READER_SECRET = "grafana-elasticsearch-user";
export const ROLES_SECRET = "elasticsearch-roles";
/** The datasource Secret in Grafana's namespace. */
export const GRAFANA_DATASOURCE_SECRET = "grafana-datasource-elasticsearch";
export { ELASTICSEARCH_DATASOURCE_UID };

/**
 * ECK's CA in Grafana's namespace: a copy a Job makes (ca-copy.ts) with the datasource sidecar's
 * label, so the sidecar writes it beside the provisioning files and the datasource reads it from
 * there. The sidecar lists Secrets by name, so this name sorts before the datasource's: after a
 * restart the CA file is written before the datasource that reads it.
 */
export const GRAFANA_CA_COPY = {
  secret: "elasticsearch-ca",
  key: "elasticsearch-ca.crt",
  labels: DATASOURCE_LABEL,
} as const;

/** Grafana's reader role: read and list the log indices; `monitor` for the version check. */
export function readerRoles(): Record<string, unknown> {
  return {
    [GRAFANA_READER_ROLE]: {
      cluster: ["monitor"],
      indices: [{ names: [LOG_INDEX_PATTERN], privileges: ["read", "view_index_metadata"] }],
    },
  };
}

/** A `roles.yml` ECK loads, with these roles by name. */
export function rolesYaml(roles: Record<string, unknown>): string {
  return stringify(roles);
}

/** The `roles.yml` of Grafana's reader alone. */
export function readerRolesYaml(): string {
  return rolesYaml(readerRoles());
}

/** The cluster's in-cluster URL, from any namespace. */
export function elasticsearchUrl(namespace: string): string {
  return `https://${ELASTICSEARCH_SERVICE}.${namespace}.svc:9200`;
}

/**
 * Grafana expands `$NAME`, `${NAME}` and `$__file{...}` in every provisioned value, and reads `$$`
 * as one `$`: a supplied password with a `$` in it must reach Grafana as written.
 */
export function escapeProvisioningValue(value: string): string {
  return value.split("$").join("$$");
}

/**
 * Grafana's Elasticsearch datasource over the log data stream, verifying the cluster's HTTPS
 * certificate with ECK's CA: Grafana expands `$__file{...}` when it provisions the datasource,
 * from the copy its sidecar writes (GRAFANA_CA_COPY), and again whenever the copy changes.
 */
export function elasticsearchDatasource(namespace: string, password: string): GrafanaDatasource {
  return {
    name: "Elasticsearch (logs)",
    type: "elasticsearch",
    uid: ELASTICSEARCH_DATASOURCE_UID,
    url: elasticsearchUrl(namespace),
    basicAuthUser: GRAFANA_READER_USER,
    jsonData: {
      index: LOG_INDEX_PATTERN,
      timeField: "@timestamp",
      logMessageField: "message",
      tlsAuthWithCACert: true,
    },
    secureJsonData: {
      basicAuthPassword: escapeProvisioningValue(password),
      tlsCACert: `$__file{${DATASOURCES_DIR}/${GRAFANA_CA_COPY.key}}`,
    },
  };
}
