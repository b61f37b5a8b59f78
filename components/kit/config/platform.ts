import { Fields, Infer, KeyDeclaration, MapDeclaration, readMap } from "./declare";
import { ImagesConfig } from "./images";
import { describe, patterns, quantityValue, Section, setCommand } from "./reader";
import { ContainerId, ContainerResources, Sizing, SIZINGS, SizingTable } from "./sizing";

export const CLUSTER_TYPES = ["kind", "cloud"] as const;
export type ClusterType = (typeof CLUSTER_TYPES)[number];

export const CLUSTER_FIELDS = {
  type: {
    kind: "enum",
    values: CLUSTER_TYPES,
    required: true,
    description: "kind (a laptop cluster: no LoadBalancer, self-signed kubelet certificates) or cloud.",
  },
  context: {
    kind: "string",
    required: true,
    description: "The kubeconfig context the Kubernetes provider uses.",
  },
  storageClass: {
    kind: "string",
    format: {
      re: patterns.K8S_NAME,
      what: "a StorageClass name (at most 63 lowercase letters, digits and -, starting and ending with a letter or digit)",
      example: "standard",
    },
    defaultText: "the cluster's default class",
    description: "The StorageClass of every PersistentVolumeClaim.",
  },
  identifier: {
    kind: "string",
    format: {
      re: /^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/,
      what: "a cluster identifier (letters, digits and . _ : / @ -)",
      example: "prod-eu-west-1",
    },
    defaultText: "the context's name",
    defaultsTo: "context",
    description:
      "The Kubernetes provider's clusterIdentifier: changing it replaces the provider and every object with it, so moving the stack to another cluster shows in the preview (docs/upgrades.md).",
  },
  retainData: {
    kind: "boolean",
    default: true,
    description:
      "Leave volume claims, Elasticsearch, the namespaces that hold them and generated-password Secrets in the cluster when the stack deletes them or a part is switched off (retainOnDelete).",
  },
} as const satisfies Fields;

/** Where the stack runs; `identifier` is always set (it defaults to the context). */
export type ClusterConfig = Omit<Infer<typeof CLUSTER_FIELDS>, "identifier"> & { identifier: string };

export const CHARTS_FIELDS = {
  mirror: {
    kind: "string",
    defaultText: "none (each chart's public repository)",
    description:
      "One mirror for every chart, for air-gapped clusters: a Helm repository (https://… or http://…) serving each chart under its own name, or an OCI prefix (oci://registry/path) holding <prefix>/<chart>.",
  },
  timeoutSeconds: {
    kind: "integer",
    default: 900,
    min: 30,
    max: 7200,
    description: "Seconds Helm waits for a release's resources to become ready.",
  },
} as const satisfies Fields;

/** Where charts come from: their public repositories, or one mirror for air-gapped clusters. */
export type ChartsConfig = Infer<typeof CHARTS_FIELDS>;

export const CLUSTER_KEY: KeyDeclaration = {
  kind: "object",
  required: true,
  description: "Where the stack runs. Required.",
  fields: CLUSTER_FIELDS,
};

export const SIZING_KEY: KeyDeclaration = {
  kind: "value",
  description: "The resource preset of every container.",
  field: {
    kind: "enum",
    values: SIZINGS,
    default: "laptop",
    description:
      "laptop (the whole stack fits a kind node on an 8 GiB laptop) or production: the requests and limits of every container.",
  },
};

export const CHARTS_KEY: KeyDeclaration = {
  kind: "object",
  description: "Where charts come from (each part pins its charts in components/<part>/charts.ts).",
  fields: CHARTS_FIELDS,
};

/** The stack-wide settings every part may read: where it runs, its sizing, and where charts come from. */
export interface PlatformConfig {
  cluster: ClusterConfig;
  /** The resource preset: `laptop` or `production`. Defaults to `laptop`. */
  sizing: Sizing;
  /** Requests and memory limits of every container: the preset with `resources` overrides applied. */
  resources: Record<ContainerId, ContainerResources>;
  charts: ChartsConfig;
  /** Where images come from: a mirror registry and pull secrets (kit/config/images.ts). */
  images: ImagesConfig;
}

const HELM_REPO = /^https?:\/\/[^\s/]+(\/\S*)?$/;
const OCI_PREFIX = /^oci:\/\/[^\s/]+(\/\S*)?$/;

export function readCharts(s: Section): ChartsConfig {
  const mirror = s.optionalString("mirror");
  if (mirror !== undefined && !HELM_REPO.test(mirror) && !OCI_PREFIX.test(mirror)) {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(mirror)?.[1];
    s.problem(
      "mirror",
      scheme === undefined
        ? `must be a URL, got ${JSON.stringify(mirror)}`
        : `has unknown scheme "${scheme}" in ${JSON.stringify(mirror)}`,
      "use https:// or http:// for a Helm repository, or oci:// for an OCI registry prefix, e.g. `pulumi config set --path charts.mirror oci://registry.example.com/charts`",
    );
  }
  const charts: ChartsConfig = {
    timeoutSeconds: s.int(
      "timeoutSeconds",
      CHARTS_FIELDS.timeoutSeconds.default,
      CHARTS_FIELDS.timeoutSeconds.min,
      CHARTS_FIELDS.timeoutSeconds.max,
    ),
    ...(mirror !== undefined && (HELM_REPO.test(mirror) || OCI_PREFIX.test(mirror))
      ? { mirror: mirror.replace(/\/+$/, "") }
      : {}),
  };
  s.done();
  return charts;
}

export function readCluster(s: Section): ClusterConfig | undefined {
  const type = s.oneOf("type", CLUSTER_FIELDS.type.values, undefined);
  const exampleContext = type === "kind" ? "kind-observability" : "<kubeconfig-context>";
  let context = s.requiredString("context", exampleContext);
  // No kubeconfig context is blank or starts or ends with a space: the provider would not find it.
  if (context !== undefined && context.trim() !== context) {
    const trimmed = context.trim();
    s.problem(
      "context",
      trimmed === ""
        ? `is blank (${describe(context)})`
        : `has spaces around the name (${describe(context)}), and no kubeconfig context does`,
      `set the context's name, e.g. \`${setCommand(s.join("context"), trimmed === "" ? exampleContext : trimmed)}\``,
    );
    context = undefined;
  }
  const storageClass = s.optionalString("storageClass", CLUSTER_FIELDS.storageClass.format);
  const identifier = s.optionalString("identifier", CLUSTER_FIELDS.identifier.format);
  const retainData = s.bool("retainData", CLUSTER_FIELDS.retainData.default);
  s.done();
  if (type === undefined || context === undefined) return undefined;
  return {
    type,
    context,
    ...(storageClass !== undefined ? { storageClass } : {}),
    identifier: identifier ?? context,
    retainData,
  };
}

const QUANTITY_FIELD = { kind: "string", format: "quantity", defaultText: "the sizing preset's" } as const;

export const RESOURCES_FIELDS = {
  cpu: { ...QUANTITY_FIELD, description: "CPU request." },
  memory: { ...QUANTITY_FIELD, description: "Memory request." },
  memoryLimit: {
    ...QUANTITY_FIELD,
    description: "Memory limit (CPU is never limited: a limit throttles bursts).",
  },
} as const satisfies Fields;

/**
 * `resources`, declared once over the containers the parts size (`ids`, in the order the docs list
 * them): Pulumi.yaml and docs/config.md (npm run gen) come from this.
 */
export function resourcesKey(ids: readonly string[]): MapDeclaration<typeof RESOURCES_FIELDS> {
  return {
    kind: "map",
    description:
      "Per-container overrides of the sizing preset (each part's sizing.ts), as Kubernetes quantities.",
    entry: "container",
    names: ids,
    entryDescription:
      "A container the program sizes: elasticsearch is the data and mixed nodes, elasticsearchMaster the dedicated masters, istioProxy every Istio sidecar (the stack's own and, by default, applications'); a Loki cache gets its memory request divided by 1.2 as memcached memory.",
    fields: RESOURCES_FIELDS,
  };
}

/** The preset of `sizing` from the parts' folded table, with the stack file's overrides applied. */
export function readResources(
  s: Section,
  sizing: Sizing,
  table: SizingTable<ContainerId>,
): Record<ContainerId, ContainerResources> {
  const resources = { ...table[sizing] };
  const preset = (name: string): ContainerResources => resources[name as ContainerId];
  const read = readMap(s, resourcesKey(Object.keys(resources)), (name) => ({ ...preset(name) }));
  for (const [name, r] of Object.entries(read)) {
    const base = preset(name);
    const merged = {
      cpu: r.cpu ?? base.cpu,
      memory: r.memory ?? base.memory,
      memoryLimit: r.memoryLimit ?? base.memoryLimit,
    };
    // The API server refuses a pod whose request is above its limit.
    if (quantityValue(merged.memory) > quantityValue(merged.memoryLimit)) {
      const entry = s.child(name);
      const limitSet = entry.has("memoryLimit");
      const at = entry.has("memory") ? "memory" : "memoryLimit";
      entry.problem(
        at,
        at === "memory"
          ? `is ${merged.memory}, above the memory limit ${merged.memoryLimit}${limitSet ? "" : ` of the ${sizing} preset`}, and the API server refuses such a pod`
          : `is ${merged.memoryLimit}, below the memory request ${merged.memory} of the ${sizing} preset, and the API server refuses such a pod`,
        `raise the limit with it, e.g. \`${setCommand(entry.join("memoryLimit"), merged.memory)}\``,
      );
    }
    resources[name as ContainerId] = merged;
  }
  return resources;
}
