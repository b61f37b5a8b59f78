/**
 * The pure part of `npm run recover`: what an interrupted `pulumi up` left behind, and what to do
 * about each piece. Nothing here runs a command; tools/recover.ts gathers the facts (the stack's
 * exported state, its lock files, Helm's releases, the cluster's objects), asks these functions
 * what to do, and does it.
 */

/** The Helm release resource type of @pulumi/kubernetes. */
export const RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";

// ---------------------------------------------------------------------------------------------
// Locks

/**
 * A DIY backend's lock file (`.pulumi/locks/<org>/<project>/<stack>/<id>.json`): what the CLI
 * writes when an update, refresh or destroy starts and deletes when it ends (pulumi/pulumi
 * pkg/backend/diy/lock.go).
 */
export interface LockContent {
  pid: number;
  username: string;
  hostname: string;
  /** RFC 3339. */
  timestamp: string;
}

/** Parses a lock file; undefined when it is not one. */
export function parseLock(text: string): LockContent | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (v === null || typeof v !== "object") return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o["pid"] !== "number" || typeof o["hostname"] !== "string" || typeof o["timestamp"] !== "string")
    return undefined;
  return {
    pid: o["pid"],
    username: typeof o["username"] === "string" ? o["username"] : "",
    hostname: o["hostname"],
    timestamp: o["timestamp"],
  };
}

/**
 * Whether a file in a stack's lock directory is a lock. The DIY backend stores files through Go
 * CDK's fileblob, which writes each object's metadata beside it as `<name>.attrs` and hides those
 * from the backend's own listing; a lock is `<uuid>.json`.
 */
export function isLockFile(name: string): boolean {
  return name.endsWith(".json");
}

/** The lock directory of a stack under a DIY backend's root, relative to it. */
export function lockDir(project: string, stack: string): string {
  return `.pulumi/locks/organization/${project}/${stack}`;
}

/** What this machine knows about a lock's process. */
export interface LockFacts {
  /** This machine's hostname. */
  hostname: string;
  now: Date;
  /** Whether `pid` is a running Pulumi CLI on this machine; only asked for a lock of this host. */
  pulumiRunning: (pid: number) => boolean;
  /**
   * A lock of another host older than this many minutes is stale: no update of this stack can
   * run that long (the CI job's timeout). Undefined: another host's lock is never judged stale.
   */
  staleAfterMinutes?: number;
}

export type LockVerdict = { stale: true; why: string } | { stale: false; why: string };

/** Whether a lock belongs to an update that is no longer running. */
export function judgeLock(lock: LockContent, facts: LockFacts): LockVerdict {
  const who = `${lock.username}@${lock.hostname} (pid ${lock.pid}) at ${lock.timestamp}`;
  if (lock.hostname === facts.hostname) {
    return facts.pulumiRunning(lock.pid)
      ? { stale: false, why: `taken by ${who}: that Pulumi process is still running here` }
      : { stale: true, why: `taken by ${who}: no Pulumi process ${lock.pid} runs on this host` };
  }
  const taken = Date.parse(lock.timestamp);
  const ageMinutes = Number.isNaN(taken) ? Number.NaN : (facts.now.getTime() - taken) / 60_000;
  const age = Number.isNaN(ageMinutes) ? "of unknown age" : `${Math.floor(ageMinutes)} minutes old`;
  if (facts.staleAfterMinutes === undefined) {
    return {
      stale: false,
      why: `taken by ${who} on another host, ${age}: this host cannot tell whether it still runs (--lock-stale-after <minutes> treats a lock older than that as stale)`,
    };
  }
  if (!Number.isNaN(ageMinutes) && ageMinutes > facts.staleAfterMinutes) {
    return {
      stale: true,
      why: `taken by ${who} on another host, ${age}: older than --lock-stale-after ${facts.staleAfterMinutes}`,
    };
  }
  return {
    stale: false,
    why: `taken by ${who} on another host, ${age}: not older than --lock-stale-after ${facts.staleAfterMinutes}`,
  };
}

// ---------------------------------------------------------------------------------------------
// State

/** One resource of an exported deployment (`pulumi stack export`); untouched fields kept. */
export interface StateResource {
  urn: string;
  type: string;
  custom?: boolean;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A pending operation: what the engine had started and not finished. */
export interface StateOperation {
  resource: StateResource;
  /** creating, updating, deleting, reading or importing. */
  type: string;
}

/** `pulumi stack export` output: version 3 deployment. */
export interface Exported {
  version: number;
  deployment: {
    resources?: StateResource[];
    pending_operations?: StateOperation[];
    [key: string]: unknown;
  };
}

/** A Kubernetes object (or Helm release) a resource stands for, with the id the provider uses. */
export interface ObjectRef {
  /** Helm release, or a Kubernetes object. */
  kind: "release" | "object";
  /** For an object: apiVersion and kind from its inputs. */
  apiVersion?: string;
  objectKind?: string;
  namespace?: string;
  name: string;
  /** The provider's id: `<namespace>/<name>`, or `<name>` for a cluster-scoped object. */
  id: string;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** The last part of a URN: the resource's name. */
export function urnName(urn: string): string {
  return urn.split("::").pop() ?? urn;
}

/**
 * What a resource of the Kubernetes provider stands for, from its inputs (the pending operation
 * records the inputs the provider checked, names included); undefined for anything else.
 */
export function objectRef(res: StateResource): ObjectRef | undefined {
  const inputs = res.inputs ?? {};
  if (res.type === RELEASE_TYPE) {
    const name = str(inputs["name"]);
    const namespace = str(inputs["namespace"]) ?? "default";
    if (name === undefined) return undefined;
    return { kind: "release", namespace, name, id: `${namespace}/${name}` };
  }
  if (!res.type.startsWith("kubernetes:") || res.type.startsWith("pulumi:providers:")) return undefined;
  const metadata = (inputs["metadata"] ?? {}) as Record<string, unknown>;
  const name = str(metadata["name"]);
  const apiVersion = str(inputs["apiVersion"]);
  const objectKind = str(inputs["kind"]);
  if (name === undefined || apiVersion === undefined || objectKind === undefined) return undefined;
  const namespace = str(metadata["namespace"]);
  return {
    kind: "object",
    apiVersion,
    objectKind,
    ...(namespace !== undefined ? { namespace } : {}),
    name,
    id: namespace !== undefined ? `${namespace}/${name}` : name,
  };
}

/** A pending operation, read. */
export interface Pending {
  urn: string;
  type: string;
  op: string;
  ref?: ObjectRef;
}

/** The pending operations of an exported state. */
export function pendingOperations(state: Exported): Pending[] {
  return (state.deployment.pending_operations ?? []).map((o) => {
    const ref = objectRef(o.resource);
    return { urn: o.resource.urn, type: o.resource.type, op: o.type, ...(ref !== undefined ? { ref } : {}) };
  });
}

/** Every Helm release the state knows, as a resource or as a pending operation. */
export function stateReleases(state: Exported): ObjectRef[] {
  const seen = new Map<string, ObjectRef>();
  const all = [
    ...(state.deployment.resources ?? []),
    ...(state.deployment.pending_operations ?? []).map((o) => o.resource),
  ];
  for (const r of all) {
    if (r.type !== RELEASE_TYPE) continue;
    const ref = objectRef(r);
    if (ref !== undefined) seen.set(ref.id, ref);
  }
  return [...seen.values()].sort((a, b) => a.id.localeCompare(b.id));
}

// ---------------------------------------------------------------------------------------------
// Helm

/** One revision of `helm history -o json`. */
export interface Revision {
  revision: number;
  status: string;
}

/** What Helm knows about one release. */
export interface ReleaseFacts {
  ref: ObjectRef;
  /** undefined when Helm has no such release. */
  status?: string;
  history: Revision[];
  /**
   * What would be lost if it were uninstalled: the PersistentVolumeClaims it declares or that
   * belong to it; empty when none.
   */
  data: string[];
}

/** The statuses of a release that an operation left half done. */
export const PENDING_STATUSES = ["pending-install", "pending-upgrade", "pending-rollback"];

export type ReleaseAction =
  | { action: "none"; why: string }
  | { action: "rollback"; revision: number; why: string }
  | { action: "uninstall"; why: string }
  | { action: "refuse"; why: string };

/** The last revision that was deployed (deployed, or superseded by a later one), if any. */
export function lastDeployed(history: Revision[]): number | undefined {
  const deployed = history
    .filter((r) => r.status === "deployed" || r.status === "superseded")
    .map((r) => r.revision);
  return deployed.length > 0 ? Math.max(...deployed) : undefined;
}

/**
 * The decision table for one release. A release stuck in a pending status goes back to its last
 * deployed revision (helm rollback), or is uninstalled when it never was deployed; a release that
 * holds data is never uninstalled unless `uninstallData` says so. A release that failed and never
 * was deployed, and is only a pending create in the state, is uninstalled too (the next install
 * would refuse its name).
 */
export function decideRelease(
  facts: ReleaseFacts,
  opts: { pendingCreate: boolean; uninstallData: boolean },
): ReleaseAction {
  const id = facts.ref.id;
  if (facts.status === undefined) return { action: "none", why: `${id}: no such Helm release` };
  const pending = PENDING_STATUSES.includes(facts.status);
  const neverDeployedFailure = facts.status === "failed" && opts.pendingCreate;
  if (!pending && !neverDeployedFailure) return { action: "none", why: `${id}: ${facts.status}` };
  const target = lastDeployed(facts.history);
  if (target !== undefined) {
    return {
      action: "rollback",
      revision: target,
      why: `${id}: ${facts.status}, last deployed revision ${target}`,
    };
  }
  if (facts.data.length > 0 && !opts.uninstallData) {
    return {
      action: "refuse",
      why: `${id}: ${facts.status}, never deployed, and uninstalling it would delete ${facts.data.join(", ")}; rerun with --uninstall-data to uninstall it anyway`,
    };
  }
  return {
    action: "uninstall",
    why: `${id}: ${facts.status}, never deployed${facts.data.length > 0 ? ` (deleting ${facts.data.join(", ")}: --uninstall-data)` : ""}`,
  };
}

/**
 * The volume claims a release's manifest would take with it on uninstall: PersistentVolumeClaims
 * it declares (unless Helm keeps them), and those of StatefulSets whose claim retention deletes
 * them. `docs` are the manifest's parsed YAML documents.
 */
export function manifestData(docs: unknown[]): string[] {
  const out: string[] = [];
  for (const d of docs) {
    if (d === null || typeof d !== "object") continue;
    const o = d as {
      kind?: string;
      metadata?: { name?: string; annotations?: Record<string, string> };
      spec?: {
        volumeClaimTemplates?: { metadata?: { name?: string } }[];
        persistentVolumeClaimRetentionPolicy?: { whenDeleted?: string };
      };
    };
    const name = o.metadata?.name ?? "?";
    if (
      o.kind === "PersistentVolumeClaim" &&
      o.metadata?.annotations?.["helm.sh/resource-policy"] !== "keep"
    ) {
      out.push(`PersistentVolumeClaim ${name}`);
    }
    if (o.kind === "StatefulSet" && o.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === "Delete") {
      for (const t of o.spec.volumeClaimTemplates ?? []) {
        out.push(`the claims ${t.metadata?.name ?? "?"}-${name}-* of StatefulSet ${name}`);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Pending operations

export type PendingAction =
  | { action: "import"; id: string; why: string }
  | { action: "clear"; why: string }
  | { action: "keep"; why: string };

/**
 * What to do with one pending operation once Helm's releases are repaired. `exists` says whether
 * its object (release or Kubernetes object) is in the cluster now; `refused` whether its release
 * was left as it is (it would still block an install).
 */
export function decidePending(p: Pending, exists: boolean | undefined, refused: boolean): PendingAction {
  if (p.op !== "creating") {
    return {
      action: "keep",
      why: `interrupted while ${p.op}: the operation is dropped, and the next up redoes it from the resource's recorded state`,
    };
  }
  if (p.ref === undefined) {
    return { action: "clear", why: "not a Kubernetes object: left to be created by the next up" };
  }
  if (refused) return { action: "keep", why: `${p.ref.id}: its release was left as it is` };
  if (exists === true) return { action: "import", id: p.ref.id, why: `${p.ref.id} exists: imported` };
  return { action: "clear", why: `${p.ref.id} does not exist: left to be created by the next up` };
}

// ---------------------------------------------------------------------------------------------
// The state edit

/** The marker of a secret value in an exported deployment (pulumi/pulumi sdk resource/sig). */
export const SECRET_SIG = {
  key: "4dabf18193072939515e22adb298388d",
  value: "1b47061264138c4ac30d75fd1eb44270",
};

/** A secret in the plaintext form `pulumi stack import` accepts and encrypts. */
export function plaintextSecret(value: unknown): Record<string, string> {
  return { [SECRET_SIG.key]: SECRET_SIG.value, plaintext: JSON.stringify(value) };
}

/** What an import needs beyond the id: for an object, the field manager that created it. */
export interface ImportDetail {
  id: string;
  /** The server-side apply field manager of the Pulumi provider in the live object's managedFields. */
  fieldManager?: string;
}

/**
 * The state an import becomes: the pending operation's resource (its URN, parent, provider,
 * dependencies and the inputs the provider checked) with the id, and the outputs the provider
 * reads back in the refresh that follows. A Helm release keeps its inputs where the provider
 * looks for them (`__inputs`), so the refresh reads it as one the engine created, not as an import
 * (an import would take the inputs from the cluster and differ from the program's); an object
 * keeps the field manager that applied it, so later server-side applies do not conflict.
 */
export function importedResource(res: StateResource, detail: ImportDetail): StateResource {
  const inputs = res.inputs ?? {};
  const outputs: Record<string, unknown> =
    res.type === RELEASE_TYPE
      ? { ...inputs, __inputs: plaintextSecret(inputs) }
      : {
          ...(typeof inputs["apiVersion"] === "string" ? { __initialApiVersion: inputs["apiVersion"] } : {}),
          ...(detail.fieldManager !== undefined ? { __fieldManager: detail.fieldManager } : {}),
        };
  return { ...res, id: detail.id, outputs };
}

/**
 * Applies the decisions to an exported state (read with `--show-secrets`, so secrets are in the
 * plaintext form that `pulumi stack import` encrypts again): an imported create becomes a
 * resource, a cleared one goes, everything else stays. Imported resources go last: nothing in the
 * state can depend on a resource whose create had not finished, and their parents, providers and
 * dependencies were all created before it started.
 */
export function editState(
  state: Exported,
  decisions: ReadonlyMap<string, { action: PendingAction; detail?: ImportDetail }>,
): Exported {
  const resources = [...(state.deployment.resources ?? [])];
  const pending: StateOperation[] = [];
  for (const op of state.deployment.pending_operations ?? []) {
    const d = op.type === "creating" ? decisions.get(op.resource.urn) : undefined;
    if (d === undefined || d.action.action === "keep") {
      pending.push(op);
    } else if (d.action.action === "import") {
      resources.push(importedResource(op.resource, d.detail ?? { id: d.action.id }));
    }
  }
  return { ...state, deployment: { ...state.deployment, resources, pending_operations: pending } };
}

/** The field manager of the Pulumi Kubernetes provider among an object's managedFields. */
export function pulumiFieldManager(obj: unknown): string | undefined {
  const managed = (obj as { metadata?: { managedFields?: { manager?: string; operation?: string }[] } })
    .metadata?.managedFields;
  const m = (managed ?? []).find(
    (f) => f.operation === "Apply" && f.manager?.startsWith("pulumi-kubernetes"),
  );
  return m?.manager;
}

/**
 * The `kubectl get` resource argument of an object: `<kind>.<version>.<group>`, which kubectl
 * resolves exactly; a core object by its kind alone (core has one version, v1).
 */
export function kubectlResource(ref: ObjectRef): string {
  const apiVersion = ref.apiVersion ?? "";
  const kind = (ref.objectKind ?? "").toLowerCase();
  if (!apiVersion.includes("/")) return kind;
  const [group = "", version = ""] = apiVersion.split("/");
  return `${kind}.${version}.${group}`;
}
