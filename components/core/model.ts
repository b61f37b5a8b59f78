import { stackDatasources, StackDatasources } from "../grafana";
import {
  Flow,
  foldContributions,
  GrafanaDatasource,
  NamespaceSpec,
  PodGroup,
  STACK_NAMESPACE_NAMES,
} from "../kit";
import { StackConfig } from "./config";
import { PartServices, PartsRunning, registeredParts } from "./registry";

export type { PartsRunning };

/** A Service of the stack, and how an operator reaches it from a laptop. */
export interface ServiceAddress {
  namespace: string;
  service: string;
  portForward: string;
}

/** The one model of the stack: what runs, where, under which names, and how the parts link up. */
export interface StackModel {
  runs: PartsRunning;
  /** The namespaces the stack owns, in the order they are declared. */
  namespaces: NamespaceSpec[];
  /** Each namespace's name by key; only those in `namespaces` exist. */
  namespaceOf: Readonly<typeof STACK_NAMESPACE_NAMES>;
  /** Services an operator reaches, for the parts that run. */
  services: PartServices;
  /**
   * Grafana's datasources: the ones dashboards may name (`all`) and the ones the program's
   * ConfigMap provisions; empty without Grafana.
   */
  datasources: StackDatasources;
  /** The uids of every datasource Grafana gets, those parts provision themselves included. */
  datasourceUids: string[];
  /**
   * The network flows the stack needs, which its NetworkPolicies allow and nothing else; empty
   * with networkPolicies.enabled false (each part lists the flows into its pods).
   */
  flows: Flow[];
  /** What the parts add to what another part builds, by slot, in registry order. */
  contributions: Readonly<Record<string, readonly unknown[]>>;
  /** What is valid but most likely a mistake: the program warns at preview, naming the keys to set. */
  warnings: string[];
}

const parts = () => registeredParts<StackConfig>();

/** Which parts run, from the config alone: each part decides its own switches. */
export function partsRunning(config: StackConfig): PartsRunning {
  return Object.assign({}, ...parts().map((p) => p.runs(config))) as PartsRunning;
}

/** Valid config that is most likely a mistake, from every part. */
export function configWarnings(config: StackConfig, runs: PartsRunning): string[] {
  return [...platformWarnings(config), ...parts().flatMap((p) => p.warnings?.(config, runs) ?? [])];
}

/** Legal settings of the platform keys that put a production-sized stack at risk. */
function platformWarnings(config: StackConfig): string[] {
  if (config.sizing !== "production") return [];
  return [
    ...(config.networkPolicies.enabled
      ? []
      : [
          "networkPolicies.enabled: is false on a production-sized stack, so any pod in the cluster can reach every service of the stack; " +
            "turn them on with `pulumi config set --path networkPolicies.enabled true` once the CNI enforces NetworkPolicy",
        ]),
    ...(config.cluster.retainData
      ? []
      : [
          "cluster.retainData: is false on a production-sized stack, so `pulumi destroy` or removing a part deletes its volumes and the data in them; " +
            "keep them with `pulumi config set --path cluster.retainData true`",
        ]),
  ];
}

/** Every part's pod groups, by key; a flow naming a key no part gives is a bug. */
function podGroupsOf(config: StackConfig, ns: typeof STACK_NAMESPACE_NAMES) {
  const groups = new Map<string, PodGroup>();
  for (const p of parts()) {
    for (const [key, group] of Object.entries(p.podGroups?.(ns, config) ?? {})) {
      if (groups.has(key)) throw new Error(`two parts give the pod group ${key}`);
      groups.set(key, group);
    }
  }
  return {
    group(key: string): PodGroup {
      const group = groups.get(key);
      if (group === undefined) throw new Error(`no part gives the pod group ${key}`);
      return group;
    },
  };
}

/**
 * The model of the stack, a pure function of the validated config: the composition root, the
 * stack outputs and the docs read it instead of deciding again.
 */
export function stackModel(config: StackConfig): StackModel {
  const runs = partsRunning(config);
  const ns = STACK_NAMESPACE_NAMES;
  const byChart: GrafanaDatasource[] = [];
  const byProgram: GrafanaDatasource[] = [];
  for (const p of parts()) {
    const d = p.datasources?.(config, runs, ns) ?? {};
    byChart.push(...(d.byChart ?? []));
    byProgram.push(...(d.byProgram ?? []));
  }
  const datasources =
    byChart.length + byProgram.length > 0
      ? stackDatasources(byChart, byProgram)
      : { all: [], provisioned: [] };
  const groups = config.networkPolicies.enabled ? podGroupsOf(config, ns) : undefined;
  return {
    runs,
    namespaces: parts().flatMap((p) => p.namespaces?.(config, runs) ?? []),
    namespaceOf: ns,
    services: Object.assign({}, ...parts().map((p) => p.services?.(config, runs, ns) ?? {})) as PartServices,
    datasources,
    datasourceUids: [
      ...datasources.all.map((d) => d.uid),
      ...parts().flatMap((p) => p.ownDatasourceUids?.(config, runs) ?? []),
    ],
    flows: groups !== undefined ? parts().flatMap((p) => p.flows?.(config, runs, groups) ?? []) : [],
    contributions: foldContributions(parts().map((p) => p.contributions?.(config, runs, ns) ?? {})),
    warnings: configWarnings(config, runs),
  };
}
