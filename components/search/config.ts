import { MAX_REPLICAS, KeyDeclaration, Section, StorageConfig, readStorage } from "../kit";

/**
 * Elastic Stack versions the program has been checked with: the ECK 3.5.0 operator supports them,
 * and the Filebeat, ILM and index-template settings it sends are valid for them. Add a version
 * only after checking both.
 */
export const ELASTIC_VERSIONS = ["9.5.0"] as const;
export type ElasticVersion = (typeof ELASTIC_VERSIONS)[number];

/** Elasticsearch node roles (`node.roles`). */
export const ELASTIC_ROLES = [
  "master",
  "data",
  "data_content",
  "data_hot",
  "data_warm",
  "data_cold",
  "data_frozen",
  "ingest",
  "ml",
  "remote_cluster_client",
  "transform",
  "voting_only",
] as const;
export type ElasticRole = (typeof ELASTIC_ROLES)[number];

/** One group of identical Elasticsearch nodes (an ECK node set). */
export interface ElasticNodeSet {
  /** The node set's name; ECK names the StatefulSet `<cluster>-es-<name>`. */
  name: string;
  /** How many nodes. */
  count: number;
  /** The nodes' roles. Defaults to none set, which means every role. */
  roles?: ElasticRole[];
  /** A PersistentVolumeClaim (`elasticsearch-data`) per node. Defaults to none (emptyDir). */
  storage?: StorageConfig;
}

/** The index lifecycle of the log data stream, as Elasticsearch time and byte units. */
export interface ElasticIlmConfig {
  /** Roll the write index over when it is this old (`1d`). Defaults to `1d`. */
  rolloverMaxAge: string;
  /** Roll over when a primary shard reaches this size (`50gb`). Defaults to `50gb`. */
  rolloverMaxPrimaryShardSize: string;
  /** Enter the warm phase this long after rollover. Defaults to `7d`. */
  warmAfter: string;
  /** Delete this long after rollover. Defaults to `30d`. */
  deleteAfter: string;
}

export interface ElasticConfig {
  /** Install ECK, Elasticsearch, Kibana and Filebeat. Defaults to false. */
  enabled: boolean;
  /** The Elastic Stack version of Elasticsearch, Kibana and Filebeat. Defaults to `9.5.0`. */
  version: ElasticVersion;
  /** The node sets. Defaults to one node with every role. */
  nodeSets: ElasticNodeSet[];
  /** Move indices from data_hot to data_warm nodes in the warm phase. Defaults to false. */
  hotWarm: boolean;
  /**
   * Let Elasticsearch memory-map its files, which is faster but needs `vm.max_map_count` of at
   * least 262144 on every node (most kernels default to 65530, and Elasticsearch then refuses to
   * start). Defaults to false.
   */
  allowMmap: boolean;
  /** Kibana. */
  kibana: { replicas: number };
  /** The Filebeat DaemonSet that ships every container's log. */
  filebeat: { enabled: boolean };
  ilm: ElasticIlmConfig;
}

/** An Elasticsearch time value in one unit (`30s`, `15m`, `12h`, `7d`). */
const ES_TIME = /^[1-9]\d*(d|h|m|s)$/;
/** An Elasticsearch byte size (`512mb`, `50gb`). */
const ES_BYTES = /^[1-9]\d*(b|kb|mb|gb|tb|pb)$/;
const NODE_SET_NAME = /^[a-z0-9]([-a-z0-9]{0,21}[a-z0-9])?$/;
const SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** An Elasticsearch time value in seconds. */
export function esTimeSeconds(value: string): number {
  const m = /^(\d+)([a-z]+)$/.exec(value);
  return Number(m?.[1] ?? 0) * (SECONDS[m?.[2] ?? ""] ?? 0);
}

/** Node sets that can hold `role`: those that list it, or that list no roles (every role). */
function nodesWith(nodeSets: readonly ElasticNodeSet[], ...roles: ElasticRole[]): number {
  return nodeSets
    .filter((n) => n.roles === undefined || n.roles.some((r) => roles.includes(r)))
    .reduce((sum, n) => sum + n.count, 0);
}

/** Nodes that list one of `roles` explicitly (a data tier is only a tier when named). */
export function nodesListing(nodeSets: readonly ElasticNodeSet[], role: ElasticRole): number {
  return nodeSets.filter((n) => n.roles?.includes(role) === true).reduce((sum, n) => sum + n.count, 0);
}

function readNodeSets(s: Section): ElasticNodeSet[] {
  const items = s.list("nodeSets");
  if (items === undefined) return [{ name: "default", count: 1 }];
  const nodeSets: ElasticNodeSet[] = [];
  const seen = new Map<string, string>();
  for (const item of items) {
    const name = item.requiredString("name", "default");
    if (name !== undefined && !NODE_SET_NAME.test(name)) {
      item.problem(
        "name",
        `must be 1 to 23 lowercase letters, digits or dashes, got ${JSON.stringify(name)}`,
        `set e.g. \`pulumi config set --path '${item.join("name")}' hot\``,
      );
    } else if (name !== undefined && seen.has(name)) {
      item.problem(
        "name",
        `${JSON.stringify(name)} is already the name of ${seen.get(name) ?? ""}`,
        "give every node set its own name",
      );
    }
    if (name !== undefined) seen.set(name, item.path);
    const count = item.int("count", 1, 0, MAX_REPLICAS);
    const roles = item.stringList("roles", ELASTIC_ROLES);
    const storage = readStorage(item, "storage", "50Gi");
    item.done();
    nodeSets.push({
      name: name ?? "",
      count,
      ...(roles !== undefined ? { roles } : {}),
      ...(storage !== undefined ? { storage } : {}),
    });
  }
  return nodeSets;
}

/** Reads `elastic`: ECK, Elasticsearch, Kibana, Filebeat and the log lifecycle. */
export function readElastic(s: Section): ElasticConfig {
  const enabled = s.bool("enabled", false);
  const version = s.oneOf("version", ELASTIC_VERSIONS, "9.5.0") ?? "9.5.0";
  const nodeSets = readNodeSets(s);
  const hotWarm = s.bool("hotWarm", false);
  const allowMmap = s.bool("allowMmap", false);

  const k = s.child("kibana");
  const kibana = { replicas: k.int("replicas", 1, 0, MAX_REPLICAS) };
  k.done();
  const f = s.child("filebeat");
  const filebeat = { enabled: f.bool("enabled", true) };
  f.done();

  const i = s.child("ilm");
  const time = (key: string, fallback: string) =>
    i.optionalString(key, {
      re: ES_TIME,
      what: "a time in one unit such as 30s, 15m, 12h or 7d",
      example: fallback,
    }) ?? fallback;
  const ilm: ElasticIlmConfig = {
    rolloverMaxAge: time("rolloverMaxAge", "1d"),
    rolloverMaxPrimaryShardSize:
      i.optionalString("rolloverMaxPrimaryShardSize", {
        re: ES_BYTES,
        what: "a size such as 512mb or 50gb",
        example: "50gb",
      }) ?? "50gb",
    warmAfter: time("warmAfter", "7d"),
    deleteAfter: time("deleteAfter", "30d"),
  };
  i.done();
  s.done();

  // Cross-key rules: they matter only for a cluster that is installed.
  if (enabled) {
    const total = nodeSets.reduce((sum, n) => sum + n.count, 0);
    const firstSet = `'${s.join("nodeSets")}[0].count'`;
    if (total === 0) {
      s.problem(
        "nodeSets",
        `has no nodes (their counts add up to 0) but ${s.join("enabled")} is true`,
        `give a node set a count, e.g. \`pulumi config set --path ${firstSet} 1\`, or set \`pulumi config set --path ${s.join("enabled")} false\``,
      );
    } else {
      if (nodesWith(nodeSets, "master") === 0) {
        s.problem(
          "nodeSets",
          "has no master-eligible node, and a cluster cannot form without one",
          "add master to the roles of a node set, or leave its roles unset (which means every role)",
        );
      }
      if (nodesWith(nodeSets, "data", "data_content") === 0) {
        s.problem(
          "nodeSets",
          "has no node with the data_content (or data) role, which holds Kibana's and other system indices",
          "add data_content to the roles of a node set that holds data (the hot one in a hot-warm cluster)",
        );
      }
    }
    const missing = (["data_hot", "data_warm"] as const).filter((r) => nodesListing(nodeSets, r) === 0);
    if (hotWarm && missing.length > 0) {
      s.problem(
        "hotWarm",
        `is true but no node in ${s.join("nodeSets")} has the ${missing.join(" and ")} role${missing.length > 1 ? "s" : ""}`,
        `add node sets with roles [data_hot, data_content, ingest] and [data_warm], or set \`pulumi config set --path ${s.join("hotWarm")} false\``,
      );
    }
    if (!hotWarm && nodesListing(nodeSets, "data_warm") > 0) {
      s.problem(
        "hotWarm",
        `is false but ${s.join("nodeSets")} has data_warm nodes, to which the lifecycle would never move an index`,
        `set \`pulumi config set --path ${s.join("hotWarm")} true\`, or remove the data_warm role`,
      );
    }
    const del = esTimeSeconds(ilm.deleteAfter);
    if (del < esTimeSeconds(ilm.rolloverMaxAge)) {
      s.problem(
        "ilm.deleteAfter",
        `is ${ilm.deleteAfter}, shorter than ${s.join("ilm.rolloverMaxAge")} (${ilm.rolloverMaxAge}), so how long logs are kept would depend on the rollover age more than on deleteAfter`,
        `set it to at least the rollover age, e.g. \`pulumi config set --path ${s.join("ilm.deleteAfter")} 30d\``,
      );
    }
    if (del <= esTimeSeconds(ilm.warmAfter)) {
      s.problem(
        "ilm.deleteAfter",
        `is ${ilm.deleteAfter}, not longer than ${s.join("ilm.warmAfter")} (${ilm.warmAfter}): the delete phase must come after the warm phase`,
        `set it longer than warmAfter, e.g. \`pulumi config set --path ${s.join("ilm.deleteAfter")} 30d\``,
      );
    }
  }

  return { enabled, version, nodeSets, hotWarm, allowMmap, kibana, filebeat, ilm };
}

/** `grafanaElasticsearchPassword`, a secret key: the password of Grafana's own Elasticsearch user. */
export const GRAFANA_ES_PASSWORD_KEY: KeyDeclaration = {
  kind: "secret",
  description: [
    "The password of Grafana's own Elasticsearch user (elastic.enabled with Grafana), set with",
    "`pulumi config set --secret grafanaElasticsearchPassword <value>`. It reaches Elasticsearch and",
    "Grafana only through Secrets. Default: a generated 32-character password.",
  ].join("\n"),
};

/**
 * `elastic`: declared for Pulumi.yaml and docs/config.md (npm run gen) as a description; its fields are
 * still read by the hand-written reader in this file, and test/pulumi-yaml.test.ts checks that
 * the description names exactly the fields that reader knows.
 */
export const ELASTIC_KEY: KeyDeclaration = {
  kind: "prose",
  description: [
    "Elasticsearch, Kibana and Filebeat through the ECK operator: full-text search over every",
    "container's log, beside Loki. Off by default (it does not fit the laptop budget).",
    "  elastic.enabled          Install the eck-operator release, the cluster, Kibana and Filebeat. Default: false.",
    "  elastic.version          Elastic Stack version, one the program was checked with: 9.5.0. Default: 9.5.0.",
    "  elastic.nodeSets         A list of node sets, each with name (lowercase, up to 23 characters), count,",
    "                           roles (a list of master, data, data_content, data_hot, data_warm, data_cold,",
    "                           data_frozen, ingest, ml, remote_cluster_client, transform, voting_only; none",
    "                           means every role) and storage.size (a claim per node; none means emptyDir).",
    "                           Set items with `pulumi config set --path 'elastic.nodeSets[0].count' 3`.",
    '                           Default: one node set "default" of 1 node with every role, on emptyDir.',
    "  elastic.hotWarm          Move indices from data_hot to data_warm nodes in the warm phase; needs node",
    "                           sets with those roles. Default: false.",
    "  elastic.allowMmap        Let Elasticsearch memory-map its files: faster, but it needs vm.max_map_count",
    "                           >= 262144 on every node or Elasticsearch will not start. Default: false.",
    "  elastic.kibana.replicas  Kibana replicas. Default: 1.",
    "  elastic.filebeat.enabled Ship every container's log with a Filebeat DaemonSet. Default: true.",
    "  elastic.ilm.rolloverMaxAge               Roll the write index over at this age (30s, 15m, 12h, 7d). Default: 1d.",
    "  elastic.ilm.rolloverMaxPrimaryShardSize  ... or at this primary shard size (512mb, 50gb). Default: 50gb.",
    "  elastic.ilm.warmAfter                    Warm phase (forcemerge; warm tier) this long after rollover. Default: 7d.",
    "  elastic.ilm.deleteAfter                  Delete this long after rollover; at least rolloverMaxAge and",
    "                                           longer than warmAfter. Default: 30d.",
  ].join("\n"),
};
