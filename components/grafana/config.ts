import { Fields, Infer, KeyDeclaration, MAX_REPLICAS, readFields, Section } from "../kit";

export const GRAFANA_FIELDS = {
  enabled: { kind: "boolean", default: true, description: "Run Grafana (inside kube-prometheus-stack)." },
  replicas: {
    kind: "integer",
    default: 1,
    min: 1,
    replicasOf: "Grafana",
    max: MAX_REPLICAS,
    description:
      "Grafana replicas; more than one needs no grafana.storage (they would share one SQLite volume).",
  },
  adminUser: { kind: "string", default: "admin", description: "The admin user name." },
  storage: {
    kind: "storage",
    example: "10Gi",
    description: "PersistentVolumeClaim of Grafana's SQLite database.",
  },
} as const satisfies Fields;

export type GrafanaConfig = Infer<typeof GRAFANA_FIELDS>;

export const GRAFANA_KEY: KeyDeclaration = {
  kind: "object",
  description: "Grafana (kube-prometheus-stack).",
  fields: GRAFANA_FIELDS,
};

/** A dashboard from grafana.com, pinned to one revision. */
export interface CommunityDashboard {
  /** The dashboard's id on grafana.com, e.g. 1860. */
  gnetId: number;
  /** The pinned revision: a dashboard without one would change under the stack. */
  revision: number;
  /**
   * The name of the dashboard's Prometheus datasource input (`${DS_PROMETHEUS}` in its JSON), which
   * the download replaces with the Prometheus datasource uid. Defaults to `DS_PROMETHEUS`.
   */
  datasourceInput: string;
}

/** The public source of community dashboards. */
export const GRAFANA_COM = "https://grafana.com";
/** An http(s) URL without query or fragment. */
const SOURCE_URL = /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/;

const DS_PROMETHEUS = "DS_PROMETHEUS";

/**
 * The dashboards every stack gets unless switched off: host, cluster and the two databases
 * application teams run most. Revisions are pinned so a new upload on grafana.com changes nothing.
 */
export const SEED_COMMUNITY_DASHBOARDS: Readonly<Record<string, CommunityDashboard>> = {
  nodeExporterFull: { gnetId: 1860, revision: 37, datasourceInput: DS_PROMETHEUS },
  kubernetesCluster: { gnetId: 6417, revision: 1, datasourceInput: DS_PROMETHEUS },
  mysql: { gnetId: 7362, revision: 5, datasourceInput: DS_PROMETHEUS },
  postgres: { gnetId: 9628, revision: 7, datasourceInput: DS_PROMETHEUS },
};

/** A folder name the sidecar turns into one directory level: no slashes, no dot-dot. */
const FOLDER = /^[A-Za-z0-9][A-Za-z0-9 _-]{0,62}$/;
/** Becomes a file name and a Helm values key. */
const DASHBOARD_NAME = /^[a-zA-Z][a-zA-Z0-9-]{0,62}$/;
/** A Grafana `__inputs` name. */
const INPUT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const FOLDER_FORMAT = {
  re: FOLDER,
  what: "a folder name of at most 63 ASCII letters (A-Z and a-z, no accents), digits, spaces, - and _, starting with a letter or digit",
  example: "Observability",
};

export const DASHBOARDS_FIELDS = {
  enabled: {
    kind: "boolean",
    default: true,
    description: "Provision the project's own and the community dashboards (needs Grafana).",
  },
  folder: {
    kind: "string",
    default: "Observability",
    format: FOLDER_FORMAT,
    description:
      "Folder of the project's own dashboards (service overview, stack health, and logs when a Loki datasource exists).",
  },
  communityFolder: {
    kind: "string",
    default: "Community",
    format: { ...FOLDER_FORMAT, example: "Community" },
    description: "Folder of the community dashboards.",
  },
  chartFolder: {
    kind: "string",
    default: "Kubernetes",
    format: { ...FOLDER_FORMAT, example: "Kubernetes" },
    description: "Folder of kube-prometheus-stack's own dashboards.",
  },
  community: {
    kind: "custom",
    type: "map of {gnetId, revision, datasourceInput, enabled}",
    defaultText:
      "nodeExporterFull (1860 rev 37), kubernetesCluster (6417 rev 1), mysql (7362 rev 5), postgres (9628 rev 7)",
    description:
      "Dashboards from grafana.com by name, fetched at their pinned revisions by `pulumi preview`/`up` from dashboards.source and shipped as ConfigMaps, so the cluster never reaches grafana.com (docs/air-gapped.md). Each entry community[name] has gnetId (the grafana.com id), revision (required with gnetId: pins the dashboard), datasourceInput (the dashboard's datasource input, replaced by the Prometheus uid; default DS_PROMETHEUS) and enabled (default true); set `--path 'dashboards.community.mysql.enabled' false` to drop one.",
  },
  source: {
    kind: "string",
    default: GRAFANA_COM,
    format: {
      re: SOURCE_URL,
      what: "an http:// or https:// URL that serves grafana.com's dashboard API paths",
      example: "https://dashboards.example.com",
    },
    description:
      "Where `pulumi preview` and `up` fetch the community dashboards: grafana.com, or a mirror serving its /api/dashboards/<id>/revisions/<rev>/download paths (docs/air-gapped.md). The offline plan fetches nothing and shows placeholders.",
  },
} as const satisfies Fields;

export type DashboardsConfig = Infer<typeof DASHBOARDS_FIELDS> & {
  /** Community dashboards by name. Defaults to SEED_COMMUNITY_DASHBOARDS. */
  community: Record<string, CommunityDashboard>;
};

function readCommunityDashboard(
  s: Section,
  seed: CommunityDashboard | undefined,
): CommunityDashboard | undefined {
  const enabled = s.bool("enabled", true);
  const hasId = s.has("gnetId");
  const gnetId = hasId ? s.int("gnetId", seed?.gnetId ?? 1, 1) : seed?.gnetId;
  if (gnetId === undefined) {
    s.raw("gnetId");
    s.problem(
      "gnetId",
      "is required for a dashboard that is not in the seed list",
      `set its grafana.com id, e.g. \`pulumi config set --path ${s.join("gnetId")} 1860\``,
    );
  }
  let revision = seed?.revision;
  if (s.has("revision")) {
    revision = s.int("revision", seed?.revision ?? 1, 1);
  } else if (hasId || seed === undefined) {
    s.raw("revision");
    s.problem(
      "revision",
      "is required with gnetId, or the dashboard changes whenever its author uploads a new revision",
      `pin one from https://grafana.com/grafana/dashboards/${String(gnetId ?? "<id>")}/?tab=revisions, e.g. \`pulumi config set --path ${s.join("revision")} 1\``,
    );
    revision = undefined;
  }
  const datasourceInput =
    s.optionalString("datasourceInput", {
      re: INPUT_NAME,
      what: "the name of the dashboard's datasource input, as in ${DS_PROMETHEUS}",
      example: DS_PROMETHEUS,
    }) ??
    seed?.datasourceInput ??
    DS_PROMETHEUS;
  s.done();
  if (!enabled || gnetId === undefined || revision === undefined) return undefined;
  return { gnetId, revision, datasourceInput };
}

/** `nodeExporterFull` -> `grafana-dashboard-community-node-exporter-full`, a valid ConfigMap name. */
export function communityConfigMapName(name: string): string {
  return `grafana-dashboard-community-${name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase()}`;
}

/** Reads `dashboards`: which dashboards Grafana gets and in which folders. */
export function readDashboards(s: Section): DashboardsConfig {
  const community: Record<string, CommunityDashboard> = { ...SEED_COMMUNITY_DASHBOARDS };
  const entries = s.child("community");
  for (const name of entries.keys()) {
    if (!DASHBOARD_NAME.test(name)) {
      entries.problem(
        name,
        "is not a usable dashboard name: it becomes a file name",
        `use letters, digits and - starting with a letter, e.g. \`pulumi config set --path ${entries.join("myDashboard.gnetId")} <id>\``,
      );
    }
    const read = readCommunityDashboard(entries.child(name), SEED_COMMUNITY_DASHBOARDS[name]);
    if (read === undefined) {
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
      delete community[name];
    } else {
      community[name] = read;
    }
  }
  // `myDash` and `my-dash` would be one ConfigMap, which the engine refuses naming no key.
  const byConfigMap = new Map<string, string>();
  for (const name of Object.keys(community).sort()) {
    const configMap = communityConfigMapName(name);
    const first = byConfigMap.get(configMap);
    if (first === undefined) byConfigMap.set(configMap, name);
    else
      entries.problem(
        name,
        `becomes the ConfigMap ${configMap}, as ${entries.join(first)} does`,
        "rename one of them so that their names differ by more than case and dashes",
      );
  }
  const fields = readFields(s, DASHBOARDS_FIELDS);
  return {
    ...fields,
    community: Object.fromEntries(Object.entries(community).sort(([a], [b]) => (a < b ? -1 : 1))),
    source: fields.source.replace(/\/+$/, ""),
  };
}

/**
 * Whether Grafana runs: the one place that decides it. Grafana is installed by
 * kube-prometheus-stack, so it runs only with it.
 */
export function grafanaRuns(config: {
  prometheus: { enabled: boolean };
  grafana: { enabled: boolean };
}): boolean {
  return config.prometheus.enabled && config.grafana.enabled;
}

/** Reads `grafana`. */
export function readGrafana(g: Section): GrafanaConfig {
  return readFields(g, GRAFANA_FIELDS);
}

export const DASHBOARDS_KEY: KeyDeclaration = {
  kind: "object",
  description: "Grafana's dashboards, each in a Grafana folder (needs grafana.enabled).",
  fields: DASHBOARDS_FIELDS,
};
