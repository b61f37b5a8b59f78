/**
 * The shape of a Grafana datasource, as a part contributes it (the grafana part provisions them).
 */

/** One Grafana datasource, as Grafana's provisioning files describe it. */
export interface GrafanaDatasource {
  /** The name shown in Grafana. */
  name: string;
  /** The plugin id, e.g. `loki`, `jaeger`, `prometheus`, `elasticsearch`. */
  type: string;
  /** A fixed uid, so dashboards and links between datasources can name it. */
  uid: string;
  /** The in-cluster URL Grafana's backend queries. */
  url: string;
  /** Plugin settings (derived fields, trace-to-logs links, ...). Defaults to none. */
  jsonData?: Record<string, unknown>;
  /** Make it Grafana's default datasource. Defaults to false. */
  isDefault?: boolean;
  /** Log in with HTTP basic auth as this user. Defaults to none (no basic auth). */
  basicAuthUser?: string;
  /**
   * Values Grafana stores encrypted and never shows: a custom header's value (Loki's tenant in
   * X-Scope-OrgID, which Grafana reads only from here) or `basicAuthPassword`. A credential among
   * them puts the datasource in a Secret (`datasourceSecret`), never a ConfigMap. Defaults to none.
   */
  secureJsonData?: Record<string, string>;
}
