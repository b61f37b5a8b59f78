import {
  CHARTS_KEY,
  CLUSTER_KEY,
  IMAGES_KEY,
  IMAGE_PULL_SECRET_DECLARATION,
  IMAGE_PULL_SECRET_KEY,
  readFields,
  readImages,
  KeyDeclaration,
  likelyMeant,
  resourcesKey,
  SIZING_KEY,
  ConfigError,
  ConfigProblem,
  PartReadContext,
  PlatformConfig,
  readCharts,
  readCluster,
  readResources,
  Section,
  Sizing,
  SIZINGS,
} from "../kit";
import { NETWORK_POLICIES_FIELDS, NETWORK_POLICIES_KEY, NetworkPoliciesConfig } from "./network-policies";
import {
  CONTAINER_IDS,
  DEFAULT_RESOURCES,
  PART_SECRET_KEYS,
  PartSlices,
  partKeys,
  registeredParts,
} from "./registry";

/** The whole validated stack config: the platform's keys and every part's slice. */
export type StackConfig = PlatformConfig &
  PartSlices & {
    /** Default-deny ingress and the stack's flows (each part's network flows). */
    networkPolicies: NetworkPoliciesConfig;
  };

/** The platform's plain keys, which every part may read, before the parts' own. */
const PLATFORM_KEYS: Readonly<Record<string, KeyDeclaration>> = {
  cluster: CLUSTER_KEY,
  sizing: SIZING_KEY,
  resources: resourcesKey(CONTAINER_IDS),
  charts: CHARTS_KEY,
  images: IMAGES_KEY,
  [IMAGE_PULL_SECRET_KEY]: IMAGE_PULL_SECRET_DECLARATION,
  networkPolicies: NETWORK_POLICIES_KEY,
};

/** Keys that hold secrets; they are read as secret Outputs and never as plain config. */
export const SECRET_KEYS: readonly string[] = [...PART_SECRET_KEYS, IMAGE_PULL_SECRET_KEY];

const isSecret = (key: string) => SECRET_KEYS.includes(key);

/**
 * Every config key, declared in the folder of the part it belongs to, in the order Pulumi.yaml
 * and docs/config.md list them (`npm run gen` writes both from this): the platform's, then each
 * part's plain keys in registry order, then the secret keys.
 */
export const STACK_KEYS: Readonly<Record<string, KeyDeclaration>> = Object.fromEntries([
  ...Object.entries(PLATFORM_KEYS),
  ...partKeys().filter(([key]) => !isSecret(key)),
  ...partKeys().filter(([key]) => isSecret(key)),
]);

/** Every plain (non-secret) top-level key, in the order Pulumi.yaml documents them. */
export const PLAIN_KEYS: readonly string[] = Object.keys(STACK_KEYS).filter((key) => !isSecret(key));

/** What checks against the outside world depend on; tests fix it. */
export interface ParseOptions {
  /** Today as YYYY-MM-DD (UTC), which a Loki schema must not start after. Defaults to the clock. */
  today?: string;
}

/** What parseStackConfig may know of the secret keys without their values: the names under a secret map. */
export type SecretKeyNames = Readonly<Record<string, readonly string[]>>;

/**
 * Validates the raw stack config (top-level keys without the project prefix, objects already
 * parsed) and applies defaults. Throws one ConfigError that lists every problem, before any
 * resource is declared. `secretKeys` names the secret keys that are set, for rules that depend
 * on whether a secret exists (never on its value). Defaults to none.
 */
export function parseStackConfig(
  raw: Readonly<Record<string, unknown>>,
  secretKeys: ReadonlySet<string> = new Set(),
  secretNames: SecretKeyNames = {},
  options: ParseOptions = {},
): StackConfig {
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const problems: ConfigProblem[] = [];
  for (const key of Object.keys(raw).sort()) {
    if (SECRET_KEYS.includes(key)) continue;
    if (!PLAIN_KEYS.includes(key)) {
      const meant = likelyMeant(key, [...PLAIN_KEYS, ...SECRET_KEYS]);
      problems.push({
        path: key,
        problem: "is not a known config key",
        fix:
          meant !== undefined
            ? `did you mean ${meant}? rename it in the stack file, or remove it with \`pulumi config rm ${key}\``
            : `remove it with \`pulumi config rm ${key}\`; known keys are ${[...PLAIN_KEYS, ...SECRET_KEYS].join(", ")}`,
      });
    }
  }

  const at = (key: string) => new Section(key, raw[key], problems);

  const cluster = readCluster(at("cluster"));
  const sizingValue = raw["sizing"];
  let sizing: Sizing = "laptop";
  if (sizingValue !== undefined) {
    if (typeof sizingValue === "string" && (SIZINGS as readonly string[]).includes(sizingValue)) {
      sizing = sizingValue as Sizing;
    } else {
      problems.push({
        path: "sizing",
        problem: `must be one of ${SIZINGS.join(", ")}, got ${JSON.stringify(sizingValue)}`,
        fix: "set e.g. `pulumi config set sizing production`",
      });
    }
  }
  const resources = readResources(at("resources"), sizing, DEFAULT_RESOURCES);
  const charts = readCharts(at("charts"));
  const images = readImages(at("images"), secretKeys.has(IMAGE_PULL_SECRET_KEY));
  const networkPolicies = readFields(at("networkPolicies"), NETWORK_POLICIES_FIELDS);

  // Each part reads its keys, in registry order; a later part may read an earlier one's slice.
  const slices: Record<string, unknown> = {};
  const ctx: PartReadContext = {
    at,
    raw,
    problems,
    secretKeys,
    secretNames,
    today,
    ...(cluster !== undefined ? { cluster } : {}),
    sizing,
    slice(key: string): unknown {
      if (!(key in slices)) throw new Error(`${key} is read by a part listed after the one that reads it`);
      return slices[key];
    },
  };
  const parts = registeredParts<StackConfig>();
  for (const part of parts) Object.assign(slices, part.config?.read(ctx));

  // Cross-key rules, each naming both keys, once every part has read its keys (the cluster's
  // own problems included: every problem is reported at once).
  const config = { cluster, sizing, resources, charts, images, networkPolicies, ...slices } as StackConfig;
  for (const part of parts) part.config?.check?.(config, ctx);
  if (problems.length > 0 || cluster === undefined) throw new ConfigError(problems);
  return config;
}
