/**
 * The parts' lists, folded: the catalogue of charts, the sizing table, the config keys, the
 * switches and the stack outputs. Nothing here names a part; components/parts.ts lists them.
 */
import {
  Chart,
  ContainerId,
  ContainerResources,
  KeyDeclaration,
  Part,
  PartReadContext,
  SIZINGS,
  SizingTable,
} from "../kit";
import { PARTS } from "../parts";

type UnionToIntersection<U> = (U extends unknown ? (k: U) => void : never) extends (k: infer I) => void
  ? I
  : never;
type Registered = (typeof PARTS)[number];
type SliceOf<P> = P extends { config: { read(ctx: PartReadContext): infer S } } ? S : never;
type RunsOf<P> = P extends { runs(...args: never[]): infer R } ? R : never;
type ServicesOf<P> = P extends { services(...args: never[]): infer S } ? S : never;
type ChartsOf<P> = P extends { charts: infer C } ? (keyof C extends never ? never : C) : never;

/** Every part's config slice, together: the stack config without the platform's keys. */
export type PartSlices = UnionToIntersection<SliceOf<Registered>>;

/** Which parts run, and their pieces: each part decides its own switches, once, from the config. */
export type PartsRunning = UnionToIntersection<RunsOf<Registered>>;

/** Every part's services an operator reaches (absent for what does not run). */
export type PartServices = Partial<UnionToIntersection<ServicesOf<Registered>>>;

/** The parts, in registry order, as the folds read them (`Cfg` is the whole stack config). */
export function registeredParts<Cfg>(): readonly Part<object, object, Cfg>[] {
  return PARTS as unknown as readonly Part<object, object, Cfg>[];
}

/** Every chart the stack installs, pinned: the parts' catalogues folded into one. */
export const CHARTS = Object.assign({}, ...PARTS.map((p) => p.charts)) as UnionToIntersection<
  ChartsOf<Registered>
> &
  Readonly<Record<string, Chart>>;

/** What every container the parts size requests, per preset, in registry order. */
export const DEFAULT_RESOURCES = Object.fromEntries(
  SIZINGS.map((sizing) => [
    sizing,
    Object.assign({}, ...PARTS.map((p) => p.sizing[sizing])) as Record<ContainerId, ContainerResources>,
  ]),
) as SizingTable<ContainerId>;

/** Every container the program sizes, by the id `observability:resources` overrides use. */
export const CONTAINER_IDS = Object.keys(DEFAULT_RESOURCES.laptop) as ContainerId[];

/** Every config key the parts declare, in registry order (plain and secret). */
export function partKeys(): [string, KeyDeclaration][] {
  return PARTS.flatMap((p) => Object.entries(p.config.keys));
}

/** The secret keys the parts read as secret Outputs. */
export const PART_SECRET_KEYS: readonly string[] = PARTS.flatMap((p) =>
  "secretKeys" in p.config ? [...p.config.secretKeys] : [],
);

/** The stack outputs the parts fill, each null when its part does not run. */
export const PART_OUTPUTS: readonly string[] = PARTS.flatMap((p) => [...p.outputs]);
