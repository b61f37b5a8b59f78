/**
 * Sizing presets and what a container requests. Each part sizes its own containers per preset
 * (`components/<part>/sizing.ts`); components/parts.ts folds them into one table. The presets' budget: `laptop` must fit a kind node on an 8 GiB laptop (the whole stack but
 * Elasticsearch at most 1.0 CPU and 2 GiB requested, injected sidecars included), `production` is sized for real load.
 * CPU limits are left unset on purpose: they throttle bursty scrapes and queries without
 * protecting the node, while memory limits do protect it.
 */

export const SIZINGS = ["laptop", "production"] as const;
export type Sizing = (typeof SIZINGS)[number];

/** Requests and a memory limit for one container, as Kubernetes quantities. */
export interface ContainerResources {
  cpu: string;
  memory: string;
  memoryLimit: string;
}

/** The shape Kubernetes and every chart take under a `resources` key. */
export interface K8sResources {
  requests: { cpu: string; memory: string };
  limits: { memory: string };
}

export function toK8s(r: ContainerResources): K8sResources {
  return { requests: { cpu: r.cpu, memory: r.memory }, limits: { memory: r.memoryLimit } };
}

/** One container's requests and memory limit, as a part's sizing table writes them. */
export function resources(cpu: string, memory: string, memoryLimit: string): ContainerResources {
  return { cpu, memory, memoryLimit };
}

/** The preset requests of some containers, by their ids (a part's sizing table, or the fold of all). */
export type SizingTable<Id extends string = string> = Record<Sizing, Record<Id, ContainerResources>>;

/**
 * Every container the stack sizes, by id. Kit names none of them: each part adds its own from its
 * sizing table (its `sizing.ts` augments this interface), so the type is the fold of the parts'.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface StackContainers {}

/** The id of a container the stack sizes, as `observability:resources` overrides name it. */
export type ContainerId = Extract<keyof StackContainers, string>;
