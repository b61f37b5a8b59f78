/**
 * Jaeger writes its spans as its own user, not as `elastic`: a file-realm user whose password the
 * program generates (as Grafana's reader's), with a role limited to Jaeger's own indices.
 */
export const JAEGER_ES_ROLE = "jaeger_writer";
/** The file-realm Secret of Jaeger's user, in the cluster's namespace. */
export const JAEGER_USER_SECRET = "jaeger-elasticsearch-user";

/** Every index Jaeger writes under a prefix: spans, services, dependencies and sampling, per day. */
export function jaegerIndexPattern(indexPrefix: string): string {
  return `${indexPrefix}-jaeger-*`;
}

/**
 * The least privileges Jaeger and its index cleaner need: cluster `monitor` (version and health
 * checks) and `manage_index_templates` (Jaeger installs its mappings at start); on its own indices
 * only, create them, write and read spans, list them, and delete those past the retention.
 */
export function jaegerRole(indexPrefix: string): Record<string, unknown> {
  return {
    cluster: ["monitor", "manage_index_templates"],
    indices: [
      {
        names: [jaegerIndexPattern(indexPrefix)],
        privileges: ["create_index", "write", "read", "view_index_metadata", "monitor", "delete_index"],
      },
    ],
  };
}
