import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { ConfigProblem } from "./config/errors";
import { KeyDeclaration } from "./config/declare";
import { ClusterConfig } from "./config/platform";
import { Section } from "./config/reader";
import { ContainerResources, Sizing } from "./config/sizing";
import { Chart } from "./charts/images";
import { GrafanaDatasource } from "./datasource";
import { NamespaceSpec, OwnedNamespace } from "./labels";
import { StackNamespaceKey } from "./naming";
import { Flow, PodGroup } from "./network";
import { StackPullSecret } from "./pull-secret";

/**
 * The part contract. A part (monitoring, logging, ...) is one folder that exports one `Part`
 * from its index.ts, and components/parts.ts lists it: the one line a new part adds outside its
 * folder. The core folds the parts' lists (config keys, namespaces, containers, images, flows,
 * datasources, outputs) and names no part; each part owns what it knows.
 *
 * `Cfg` is the slice of the validated stack config the part reads (its own keys and any it
 * depends on), `Runs` the switches it decides, `Slice` the config keys it reads itself.
 */
export interface Part<Slice extends object = object, Runs extends object = object, Cfg = StackView> {
  /** The part's name: its folder. */
  name: string;
  /** Its config: the top-level keys it declares, reads and checks. Defaults to none. */
  config?: PartConfig<Slice, Cfg>;
  /** The charts it installs, pinned beside their images (its `charts.ts`). */
  charts: Readonly<Record<string, Chart>>;
  /** What each container it runs requests, per sizing preset (its `sizing.ts`). */
  sizing: Readonly<Record<Sizing, Readonly<Record<string, ContainerResources>>>>;
  /** The stack outputs it fills (null when it does not run), in no particular order. */
  outputs: readonly string[];
  /** Whether it runs, and its sub-parts: decided here, once, from the validated config. */
  runs(config: Cfg): Runs;
  /** The namespaces it owns with their Pod Security levels, for what runs (in declaration order). */
  namespaces?(config: Cfg, runs: RunsView): NamespaceSpec[];
  /** Services an operator reaches, by a key the outputs use; only for what runs. */
  services?(config: Cfg, runs: RunsView, ns: NamespaceNames): Readonly<Record<string, object | undefined>>;
  /** Its pods that receive traffic, by a key other parts' flows may name. */
  podGroups?(ns: NamespaceNames, config: Cfg): Readonly<Record<string, PodGroup>>;
  /** The flows into its pods (and from its pods, where it owns the sender's reason to talk). */
  flows?(config: Cfg, runs: RunsView, groups: PodGroupsView): Flow[];
  /** The Grafana datasources it brings, when Grafana runs. */
  datasources?(config: Cfg, runs: RunsView, ns: NamespaceNames): PartDatasources;
  /**
   * The uids of datasources it provisions itself (in a Secret, say), which Grafana lists besides
   * the contributed ones. Defaults to none.
   */
  ownDatasourceUids?(config: Cfg, runs: RunsView): string[];
  /** Valid config that is most likely a mistake: one line each, naming the keys to set. */
  warnings?(config: Cfg, runs: RunsView): string[];
  /**
   * What it adds to what another part builds (that part's chart values, say), by the slot the
   * owner names and exports. The owner reads every part's contribution to its slot, in registry
   * order, and defines and checks its shape. Defaults to none.
   */
  contributions?(config: Cfg, runs: RunsView, ns: NamespaceNames): PartContributions;
  /** How it declares its resources, in steps ordered among every part's steps. */
  declare: readonly DeclareStep<Cfg>[];
}

/** A part's Grafana datasources, in the order Grafana lists them. */
export interface PartDatasources {
  /** Those its chart provisions itself: listed (dashboards may name them), not in the program's ConfigMap. */
  byChart?: GrafanaDatasource[];
  /** Those the program provisions in its datasource ConfigMap. */
  byProgram?: GrafanaDatasource[];
}

/** A part's contributions, by slot; only the slots it adds to. */
export type PartContributions = Readonly<Record<string, unknown>>;

/** Every part's contributions, by slot. */
export interface ContributionsView {
  /** The contributions to `slot`, in registry order; none when no part adds to it. */
  to(slot: string): readonly unknown[];
  /**
   * Resources a contribution names (a Secret its values reference), which the owner's resource
   * waits for: a contributor's step adds them with `provide`, ordered before the owner's step.
   */
  after(slot: string): readonly pulumi.Resource[];
  provide(slot: string, ...resources: pulumi.Resource[]): void;
}

/** Every part's contributions folded by slot, in the order given. */
export function foldContributions(
  each: readonly PartContributions[],
): Readonly<Record<string, readonly unknown[]>> {
  const bySlot: Record<string, unknown[]> = {};
  for (const c of each) {
    for (const [slot, value] of Object.entries(c)) (bySlot[slot] ??= []).push(value);
  }
  return bySlot;
}

/** The view a declaration step gets of the folded contributions (with the resources they name). */
export function contributionsView(bySlot: Readonly<Record<string, readonly unknown[]>>): ContributionsView {
  const resources = new Map<string, pulumi.Resource[]>();
  return {
    to: (slot) => bySlot[slot] ?? [],
    after: (slot) => resources.get(slot) ?? [],
    provide(slot, ...added) {
      resources.set(slot, [...(resources.get(slot) ?? []), ...added]);
    },
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * Chart values with the contributions to a values slot merged in, objects key by key. A
 * contribution only adds: one that is not an object, or that sets a value the base or an
 * earlier contribution already holds, is a bug of the parts and throws, naming the slot and key.
 */
export function mergeContributedValues(
  slot: string,
  base: Record<string, unknown>,
  contributions: readonly unknown[],
): Record<string, unknown> {
  const merge = (into: Record<string, unknown>, add: Record<string, unknown>, at: string) => {
    const out: Record<string, unknown> = { ...into };
    for (const [k, v] of Object.entries(add)) {
      const path = at === "" ? k : `${at}.${k}`;
      const had = out[k];
      if (had === undefined) out[k] = v;
      else if (isObject(had) && isObject(v)) out[k] = merge(had, v, path);
      else throw new Error(`a contribution to ${slot} sets ${path}, which is already set`);
    }
    return out;
  };
  return contributions.reduce<Record<string, unknown>>((acc, c) => {
    if (!isObject(c)) throw new Error(`a contribution to ${slot} is not an object of values`);
    return merge(acc, c, "");
  }, base);
}

/** The whole stack config, as a part sees what it does not own: typed by the part's own view. */
export type StackView = object;
/** Every part's switches: a part reads the others' through a structural type of its own. */
export type RunsView = object;
/** The stack's namespace names by key (kit/naming STACK_NAMESPACE_NAMES). */
export type NamespaceNames = Readonly<Record<StackNamespaceKey, string>>;

/** Every part's pod groups, by key. `group` throws for a key no part gives (a wrong key). */
export interface PodGroupsView {
  group(key: string): PodGroup;
}

/** A part's config: its keys, how it reads its slice of the stack file, and its cross-key rules. */
export interface PartConfig<Slice, Cfg> {
  /**
   * Its top-level keys, declared once (Pulumi.yaml and docs/config.md come from these), plain
   * and secret, in the order the docs list them.
   */
  keys: Readonly<Record<string, KeyDeclaration>>;
  /** Which of `keys` hold secrets: read as secret Outputs, never as plain config. Defaults to none. */
  secretKeys?: readonly string[];
  /** Reads and validates its keys; problems go to `ctx.problems`, each with its key path. */
  read(ctx: PartReadContext): Slice;
  /** Rules across keys, once every part has read its keys. Defaults to none. */
  check?(config: Cfg, ctx: PartReadContext): void;
}

/** What a part's config reader gets. */
export interface PartReadContext {
  /** A top-level key's section; its problems join every other one. */
  at(key: string): Section;
  /** The raw stack config (objects parsed), for rules that ask whether a key was set explicitly. */
  raw: Readonly<Record<string, unknown>>;
  problems: ConfigProblem[];
  /** The secret keys that are set (never their values). */
  secretKeys: ReadonlySet<string>;
  /** Names under a secret map key that is set (alert receivers), never the values. */
  secretNames: Readonly<Record<string, readonly string[]>>;
  /** Today as YYYY-MM-DD (UTC). */
  today: string;
  /** Where the stack runs; undefined when `cluster` itself is invalid. */
  cluster?: ClusterConfig;
  sizing: Sizing;
  /** A slice read by a part earlier in the registry (the reader types it). Throws when none has read it yet. */
  slice(key: string): unknown;
}

/** One step of a part's declaration: `order` places it among every part's steps (lower first). */
export interface DeclareStep<Cfg> {
  order: number;
  declare(ctx: DeclareContext<Cfg>): void;
}

/** What a declaration step gets. */
export interface DeclareContext<Cfg> {
  /** The stack component's name, which every child's name starts with. */
  name: string;
  parent: pulumi.ComponentResource;
  config: Cfg;
  /** Every part's switches. */
  runs: RunsView;
  /** Every part's services (the model's). */
  services: Readonly<Record<string, object | undefined>>;
  /** The datasources Grafana gets, and every uid it lists. */
  datasources: {
    all: readonly GrafanaDatasource[];
    provisioned: readonly GrafanaDatasource[];
    uids: string[];
  };
  /** Secret config as secret Outputs, by key. */
  secrets: StackSecretsView;
  /** What the parts add to what another part builds, by slot (Part.contributions). */
  contributions: ContributionsView;
  /** The stack's namespace names by key. */
  ns: NamespaceNames;
  /** A namespace the stack owns, by its name. */
  owned(name: string): OwnedNamespace;
  /** Every namespace the stack owns, by name. */
  namespaces: Readonly<Record<string, k8s.core.v1.Namespace>>;
  /** The names of the namespaces the stack owns. */
  stackNamespaces: readonly string[];
  /** The stack's pull Secret, with imagePullSecret. */
  pullSecret?: StackPullSecret;
  /** What earlier steps provide to later ones (parts add their fields to `Provided`). */
  provided: Provided;
  /** The stack outputs this part fills, by the keys in its `outputs`. */
  endpoints: Record<string, unknown>;
  /** Whatever else the program hands over (the community dashboards). */
  extras: Readonly<Record<string, unknown>>;
}

/** Secret config as secret Outputs, by key. */
export type StackSecretsView = Readonly<Record<string, pulumi.Output<unknown> | undefined>>;

/**
 * What a declaration step provides to later ones. Kit names nothing here: each part adds its
 * fields by augmenting this interface (`declare module "../kit/part"`), so a later part reads
 * them typed and an earlier one never imports it.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Provided {}

/** A secret key's value, as a secret Output of text; undefined when it is not set. */
export function secretString(secrets: StackSecretsView, key: string): pulumi.Output<string> | undefined {
  return secrets[key] as pulumi.Output<string> | undefined;
}
