import { Fields, KeyDeclaration } from "./declare";
import { patterns, Section } from "./reader";

/**
 * A registry and optional path, as an image reference starts: `host[:port][/path]`, no scheme,
 * no tag. The host has a dot or a port (or is `localhost`), or the runtime would read it as a
 * Docker Hub user.
 */
const REGISTRY =
  /^(localhost|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*:[0-9]+|localhost:[0-9]+)(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

/** Where a stack's images come from (stack config `images`). */
export interface ImagesConfig {
  /**
   * A registry (`host[:port][/path]`) that holds every image under its upstream path:
   * `<registry>/docker.io/grafana/loki:3.6.7`. Defaults to none: each image's public registry.
   */
  registry?: string;
  /** Names of `kubernetes.io/dockerconfigjson` Secrets every pod pulls with. Defaults to none. */
  pullSecrets: readonly string[];
}

const REGISTRY_FORMAT = {
  re: REGISTRY,
  what: "a registry host (with a dot or a port) and an optional lower-case path, such as registry.example.com/mirror",
  example: "registry.example.com/mirror",
};

export const IMAGES_FIELDS = {
  registry: {
    kind: "string",
    format: REGISTRY_FORMAT,
    defaultText: "none (each image's public registry)",
    description:
      "A mirror registry (host[:port][/path], no scheme) holding every image under its upstream path: <registry>/docker.io/grafana/loki:3.6.7. `npm run images -- --stack <name>` lists them (docs/air-gapped.md).",
  },
  pullSecrets: {
    kind: "custom",
    type: "list of Secret names",
    defaultText: "none",
    description:
      "Names of kubernetes.io/dockerconfigjson Secrets, in each namespace the stack owns, that every pod pulls with.",
  },
} as const satisfies Fields;

export const IMAGES_KEY: KeyDeclaration = {
  kind: "object",
  description: "Where every container image comes from (docs/air-gapped.md).",
  fields: IMAGES_FIELDS,
};

/** Reads `images`: the registry mirror every image is pulled from, and the pods' pull secrets. */
export function readImages(s: Section): ImagesConfig {
  const raw = s.raw("registry");
  let registry: string | undefined;
  if (typeof raw === "string" && /^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    s.problem(
      "registry",
      `must be a registry host and path without a scheme, got ${JSON.stringify(raw)}`,
      `drop the scheme, e.g. \`pulumi config set --path ${s.join("registry")} ${raw.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/\/+$/, "")}\``,
    );
  } else {
    registry = s.optionalString("registry", REGISTRY_FORMAT);
  }
  const pullSecrets = s.strings("pullSecrets", {
    re: patterns.K8S_NAME,
    what: "the name of a Secret of type kubernetes.io/dockerconfigjson",
    example: "registry-credentials",
  });
  s.done();
  return { ...(registry !== undefined ? { registry } : {}), pullSecrets };
}
