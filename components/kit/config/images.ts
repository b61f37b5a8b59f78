import { Fields, KeyDeclaration } from "./declare";
import { ConfigProblem } from "./errors";
import { describe, patterns, Section } from "./reader";

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
   * `<registry>/docker.io/grafana/loki:3.7.6`. Defaults to none: each image's public registry.
   */
  registry?: string;
  /**
   * Names of `kubernetes.io/dockerconfigjson` Secrets every pod pulls with: `images.pullSecrets`,
   * then `stackPullSecret` when it is set. Defaults to none.
   */
  pullSecrets: readonly string[];
  /**
   * The pull Secret the program creates from the secret key `imagePullSecret` in every namespace
   * its pods run in (always `STACK_PULL_SECRET`). Defaults to none: imagePullSecret is not set.
   */
  stackPullSecret?: string;
}

/** The secret key that holds a Docker config JSON, from which the program creates the pull Secrets. */
export const IMAGE_PULL_SECRET_KEY = "imagePullSecret";

/** The name of the pull Secret the program creates from imagePullSecret, in each namespace. */
export const STACK_PULL_SECRET = "observability-image-pull";

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
      "A mirror registry (host[:port][/path], no scheme) holding every image under its upstream path: <registry>/docker.io/grafana/loki:3.7.6. `npm run images -- --stack <name>` lists them (docs/air-gapped.md).",
  },
  pullSecrets: {
    kind: "custom",
    type: "list of Secret names",
    defaultText: "none",
    description:
      "Names of kubernetes.io/dockerconfigjson Secrets that every pod pulls with, created outside the program (by hand, or by an operator such as external-secrets) in each namespace the stack's pods run in: those it owns, and kube-system for metrics-server. The Secret the program creates from imagePullSecret is added to them.",
  },
} as const satisfies Fields;

export const IMAGES_KEY: KeyDeclaration = {
  kind: "object",
  description: "Where every container image comes from (docs/air-gapped.md).",
  fields: IMAGES_FIELDS,
};

/**
 * Reads `images`: the registry mirror every image is pulled from, and the pods' pull secrets,
 * the program's own last when the secret key imagePullSecret is set (`stackPullSecret`).
 */
export function readImages(s: Section, stackPullSecret = false): ImagesConfig {
  const raw = s.raw("registry");
  let registry: string | undefined;
  if (typeof raw === "string" && /^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    s.problem(
      "registry",
      `must be a registry host and path without a scheme, got ${JSON.stringify(raw)}`,
      `drop the scheme, e.g. \`pulumi config set --path ${s.join("registry")} ${raw.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/\/+$/, "")}\``,
    );
  } else if (
    typeof raw === "string" &&
    /\/+$/.test(raw) &&
    REGISTRY_FORMAT.re.test(raw.replace(/\/+$/, ""))
  ) {
    // The images are `<registry>/<upstream path>`: a trailing slash would double it.
    const meant = raw.replace(/\/+$/, "");
    s.problem(
      "registry",
      `ends with a slash (${JSON.stringify(raw)}), and each image's path is added after one`,
      `did you mean ${meant}? set \`pulumi config set --path ${s.join("registry")} ${meant}\``,
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
  if (!stackPullSecret) return { ...(registry !== undefined ? { registry } : {}), pullSecrets };
  const clash = pullSecrets.indexOf(STACK_PULL_SECRET);
  if (clash >= 0) {
    const at = `pullSecrets[${String(clash)}]`;
    s.problem(
      at,
      `names ${STACK_PULL_SECRET}, the Secret the program creates from ${IMAGE_PULL_SECRET_KEY}`,
      `remove it with \`pulumi config rm --path '${s.join(at)}'\`: the program gives it to every pod itself`,
    );
  }
  return {
    ...(registry !== undefined ? { registry } : {}),
    pullSecrets: [...pullSecrets, STACK_PULL_SECRET],
    stackPullSecret: STACK_PULL_SECRET,
  };
}

export const IMAGE_PULL_SECRET_DECLARATION: KeyDeclaration = {
  kind: "secret",
  description: [
    'Registry credentials as a Docker config JSON ({"auths": {"<registry>": {"auth": ...}}}), set with',
    '`pulumi config set --secret imagePullSecret "$(cat ~/.docker/config.json)"`. The program keeps its auths',
    `in a kubernetes.io/dockerconfigjson Secret ${STACK_PULL_SECRET} in every namespace its pods run in,`,
    "before anything else there, and every pod pulls with it besides images.pullSecrets (docs/air-gapped.md).",
    "Default: none.",
  ].join("\n"),
};

/** How the messages about imagePullSecret say to set it. */
const SET_PULL_SECRET = `set it with \`pulumi config set --secret ${IMAGE_PULL_SECRET_KEY} "$(cat ~/.docker/config.json)"\` after \`docker login <registry>\`, or to a document {"auths":{"<registry>":{"username":"<user>","password":"<password>"}}}`;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function nonEmpty(v: unknown): boolean {
  return typeof v === "string" && v !== "";
}

/** Whether `auth` is what the kubelet reads it as: base64 of `<username>:<password>`. */
function isBasicAuth(auth: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(auth) || auth.length % 4 !== 0) return false;
  return Buffer.from(auth, "base64").toString("utf8").includes(":");
}

/**
 * The problems of an imagePullSecret value: it must be a Docker config JSON whose `auths` holds at
 * least one registry, each with `auth` (base64 of `<username>:<password>`) or `username` and
 * `password`, which is what the kubelet reads. The messages name registries, never credentials.
 */
export function dockerConfigProblems(text: string): ConfigProblem[] {
  const problem = (what: string, fix = SET_PULL_SECRET): ConfigProblem => ({
    path: IMAGE_PULL_SECRET_KEY,
    problem: what,
    fix,
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse's own message quotes the text around the error: it would echo the secret.
    return [problem("is not valid JSON, but it must be the content of a Docker config file")];
  }
  const doc = parsed;
  if (!isObject(doc) || !isObject(doc["auths"])) {
    return [problem('has no "auths" object, where a Docker config file keeps each registry\'s credentials')];
  }
  const registries = Object.entries(doc["auths"]);
  if (registries.length === 0) return [problem('has no registry under "auths"')];
  // Docker Desktop and `docker login` with a credential helper keep the passwords outside the file.
  const helper = ["credsStore", "credHelpers"].find((k) => doc[k] !== undefined);
  const noCredentials =
    helper !== undefined
      ? `it names a credential helper ("${helper}"), which keeps the passwords outside the file: set it to a document {"auths":{"<registry>":{"username":"<user>","password":"<password>"}}} with \`pulumi config set --secret ${IMAGE_PULL_SECRET_KEY} '<document>'\``
      : SET_PULL_SECRET;
  const out: ConfigProblem[] = [];
  for (const [registry, entry] of registries) {
    const at = `auths[${describe(registry)}]`;
    if (!isObject(entry)) {
      out.push(problem(`${at} must be an object with "auth", or "username" and "password"`));
    } else if (entry["auth"] !== undefined && entry["auth"] !== "") {
      if (typeof entry["auth"] !== "string" || !isBasicAuth(entry["auth"])) {
        out.push(
          problem(`${at}.auth must be base64 of <username>:<password>, as \`docker login\` writes it`),
        );
      }
    } else if (!nonEmpty(entry["username"]) || !nonEmpty(entry["password"])) {
      out.push(
        problem(
          `${at} has neither "auth" nor "username" and "password", so it holds no credentials`,
          noCredentials,
        ),
      );
    }
  }
  return out;
}

/**
 * What the pull Secret holds: the `auths` of a valid imagePullSecret alone, so the rest of a
 * copied Docker config file (credential helpers, proxies, plugins) stays out of the cluster.
 */
export function stackDockerConfig(text: string): string {
  if (dockerConfigProblems(text).length > 0)
    throw new Error(`${IMAGE_PULL_SECRET_KEY} is no valid Docker config`);
  return JSON.stringify({ auths: (JSON.parse(text) as { auths: unknown }).auths });
}
