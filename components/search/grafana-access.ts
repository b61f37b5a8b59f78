import { stringify } from "yaml";
import { ELASTICSEARCH_DATASOURCE_UID, GrafanaDatasource } from "../grafana";
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
 * Grafana's Elasticsearch datasource over the log data stream, verifying the cluster's HTTPS
 * certificate with ECK's CA (which the program reads back from ECK's Secret once the cluster is
 * ready): the CA travels in the datasource's Secret, so no other namespace's Secret is mounted.
 */
export function elasticsearchDatasource(namespace: string, password: string, ca: string): GrafanaDatasource {
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
    secureJsonData: { basicAuthPassword: password, tlsCACert: ca },
  };
}
