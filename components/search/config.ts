import {
  Fields,
  Infer,
  KeyDeclaration,
  MAX_REPLICAS,
  readFields,
  readStorage,
  Section,
  StorageConfig,
} from "../kit";

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

/** An Elasticsearch time value in one unit (`30s`, `15m`, `12h`, `7d`). */
const ES_TIME = /^[1-9]\d*(d|h|m|s)$/;
/** An Elasticsearch byte size (`512mb`, `50gb`). */
const ES_BYTES = /^[1-9]\d*(b|kb|mb|gb|tb|pb)$/;
const NODE_SET_NAME = /^[a-z0-9]([-a-z0-9]{0,21}[a-z0-9])?$/;
const SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** An ILM time field: one unit, and the message suggests the field's own default. */
function esTime(dflt: string, description: string) {
  return {
    kind: "string",
    format: { re: ES_TIME, what: "a time in one unit such as 30s, 15m, 12h or 7d", example: dflt },
    default: dflt,
    description,
  } as const;
}

export const ELASTIC_FIELDS = {
  enabled: {
    kind: "boolean",
    default: false,
    description: "Install the eck-operator release, the cluster, Kibana and Filebeat.",
  },
  version: {
    kind: "enum",
    values: ELASTIC_VERSIONS,
    default: "9.5.0",
    description:
      "The Elastic Stack version of Elasticsearch, Kibana and Filebeat: one the program was checked with.",
  },
  nodeSets: {
    kind: "custom",
    type: "list of {name, count, roles, storage.size}",
    defaultText: 'one node set "default" of 1 node with every role, on emptyDir',
    constraints: `each name unique, 1 to 23 lowercase letters, digits or dashes; count from 0 to ${MAX_REPLICAS}`,
    description: `The node sets (groups of identical nodes), each with name (required), count (default 1), roles (a list of ${ELASTIC_ROLES.join(", ")}; none means every role) and storage.size (a claim per node; none means emptyDir). Set items with \`pulumi config set --path 'elastic.nodeSets[0].count' 3\`.`,
  },
  hotWarm: {
    kind: "boolean",
    default: false,
    description:
      "Move indices from data_hot to data_warm nodes in the warm phase; needs node sets with those roles.",
  },
  allowMmap: {
    kind: "boolean",
    default: false,
    description:
      "Let Elasticsearch memory-map its files: faster, but it needs vm.max_map_count of at least 262144 on every node (most kernels default to 65530), or Elasticsearch will not start.",
  },
  kibana: {
    kind: "group",
    description: "Kibana.",
    fields: {
      replicas: { kind: "integer", default: 1, min: 0, max: MAX_REPLICAS, description: "Kibana replicas." },
    },
  },
  filebeat: {
    kind: "group",
    description: "The Filebeat DaemonSet that ships every container's log.",
    fields: {
      enabled: { kind: "boolean", default: true, description: "Ship every container's log with Filebeat." },
    },
  },
  ilm: {
    kind: "group",
    description: "The index lifecycle of the log data stream, in Elasticsearch time and byte units.",
    fields: {
      rolloverMaxAge: esTime("1d", "Roll the write index over when it is this old."),
      rolloverMaxPrimaryShardSize: {
        kind: "string",
        format: { re: ES_BYTES, what: "a size such as 512mb or 50gb", example: "50gb" },
        default: "50gb",
        description:
          "Roll the write index over when a primary shard reaches this size, if rolloverMaxAge has not come first.",
      },
      warmAfter: esTime(
        "7d",
        "Enter the warm phase (forcemerge; the warm tier with hotWarm) this long after rollover.",
      ),
      deleteAfter: esTime(
        "30d",
        "Delete this long after rollover; at least rolloverMaxAge and longer than warmAfter.",
      ),
    },
  },
} as const satisfies Fields;

type ReadElastic = Infer<typeof ELASTIC_FIELDS>;

/** The index lifecycle of the log data stream, as Elasticsearch time and byte units. */
export type ElasticIlmConfig = ReadElastic["ilm"];

/** ECK, Elasticsearch, Kibana, Filebeat and the log lifecycle, as ELASTIC_FIELDS declares them. */
export type ElasticConfig = ReadElastic & {
  /** The node sets. Defaults to one node with every role. */
  nodeSets: ElasticNodeSet[];
};

/** An Elasticsearch time value in seconds. */
export function esTimeSeconds(value: string): number {
  const m = /^(\d+)([a-z]+)$/.exec(value);
  return Number(m?.[1] ?? 0) * (SECONDS[m?.[2] ?? ""] ?? 0);
}

/** Node sets that can hold `role`: those that list it, or that list no roles (every role). */
export function nodesWith(nodeSets: readonly ElasticNodeSet[], ...roles: ElasticRole[]): number {
  return nodeSets
    .filter((n) => n.roles === undefined || n.roles.some((r) => roles.includes(r)))
    .reduce((sum, n) => sum + n.count, 0);
}

/** Nodes that list one of `roles` explicitly (a data tier is only a tier when named). */
export function nodesListing(nodeSets: readonly ElasticNodeSet[], role: ElasticRole): number {
  return nodeSets.filter((n) => n.roles?.includes(role) === true).reduce((sum, n) => sum + n.count, 0);
}

function readNodeSets(s: Section, key: string): ElasticNodeSet[] {
  const items = s.list(key);
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

/**
 * Reads `elastic` as ELASTIC_FIELDS declares it: ECK, Elasticsearch, Kibana, Filebeat and the log
 * lifecycle; the node sets have their own reader, and the rules between fields come after.
 */
export function readElastic(s: Section): ElasticConfig {
  let nodeSets: ElasticNodeSet[] = [];
  const read = readFields(s, ELASTIC_FIELDS, {
    readers: {
      nodeSets: (e, key) => {
        nodeSets = readNodeSets(e, key);
      },
    },
  });
  const { enabled, hotWarm, ilm } = read;

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

  return { ...read, nodeSets };
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

/** `elastic`, declared once: Pulumi.yaml and docs/config.md (npm run gen) come from this. */
export const ELASTIC_KEY: KeyDeclaration = {
  kind: "object",
  description:
    "Elasticsearch, Kibana and Filebeat through the ECK operator: full-text search over every container's log, beside Loki. Off by default (it does not fit the laptop budget).",
  fields: ELASTIC_FIELDS,
};
