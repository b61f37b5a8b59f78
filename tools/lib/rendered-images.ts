/**
 * The images a set of Kubernetes objects makes the cluster pull, read from the objects themselves
 * (a chart as `helm template` renders it, or the objects the program declares), independently of
 * the program's image inventory: the check that the inventory and the mirror setting are right.
 */

/** One image, and the object that pulls it. */
export interface PulledImage {
  image: string;
  /** `<Kind>/<name>` of the object, and the container, for a failure message. */
  from: string;
  /** The pod's `imagePullSecrets` names; absent for images outside a pod spec (operator arguments). */
  pullSecrets?: string[];
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** Helm test hooks run only under `helm test`, never on install or upgrade. */
function isHelmTest(doc: Obj): boolean {
  const meta = doc["metadata"];
  const hook = isObj(meta) && isObj(meta["annotations"]) ? meta["annotations"]["helm.sh/hook"] : undefined;
  return typeof hook === "string" && hook.split(",").some((h) => h.trim().startsWith("test"));
}

function nameOf(doc: Obj): string {
  const meta = doc["metadata"];
  const name = isObj(meta) ? meta["name"] : undefined;
  return `${typeof doc["kind"] === "string" ? doc["kind"] : "?"}/${typeof name === "string" ? name : "?"}`;
}

function pullSecretNames(podSpec: Obj): string[] {
  const list = podSpec["imagePullSecrets"];
  if (!Array.isArray(list)) return [];
  return list.flatMap((s: unknown) =>
    typeof s === "string" ? [s] : isObj(s) && typeof s["name"] === "string" ? [s["name"]] : [],
  );
}

/**
 * Every image of one object: each container of each pod spec in it (Deployments, DaemonSets,
 * Jobs, CronJobs, Pods, and the pod templates of custom resources), the `spec.image` of the
 * custom resources whose operator starts pods from it (Prometheus, Alertmanager, ECK's), and the
 * images an operator is told by argument to start (prometheus-operator's config reloader).
 * `image: auto` is Istio's marker for an injected proxy: left to `istioProxyImage`.
 */
export function imagesOf(
  doc: unknown,
  serviceAccounts: ReadonlyMap<string, string[]> = new Map(),
): PulledImage[] {
  if (!isObj(doc) || isHelmTest(doc)) return [];
  const from = nameOf(doc);
  const out: PulledImage[] = [];
  const walk = (value: unknown, podSpec: Obj | undefined): void => {
    if (Array.isArray(value)) {
      for (const v of value) walk(v, podSpec);
      return;
    }
    if (!isObj(value)) return;
    const spec = Array.isArray(value["containers"]) ? value : podSpec;
    for (const key of ["initContainers", "containers", "ephemeralContainers"]) {
      const list = value[key];
      if (!Array.isArray(list)) continue;
      for (const c of list) {
        if (!isObj(c) || typeof c["image"] !== "string" || c["image"] === "auto") continue;
        const sa = spec?.["serviceAccountName"];
        out.push({
          image: c["image"],
          from: `${from} ${typeof c["name"] === "string" ? c["name"] : "?"}`,
          // The kubelet also pulls with the secrets of the pod's service account.
          pullSecrets: [
            ...pullSecretNames(spec ?? {}),
            ...(typeof sa === "string" ? (serviceAccounts.get(sa) ?? []) : []),
          ],
        });
      }
    }
    for (const v of Object.values(value)) walk(v, spec);
    // prometheus-operator starts every config-reloader sidecar with this image; cert-manager's
    // controller every ACME HTTP-01 solver pod with its own.
    const args = value["args"];
    if (Array.isArray(args)) {
      for (const a of args) {
        const m =
          typeof a === "string"
            ? /^--(?:prometheus-config-reloader|acme-http01-solver-image)=(.+)$/.exec(a)
            : null;
        if (m?.[1] !== undefined) out.push({ image: m[1], from: `${from} (operator argument)` });
      }
    }
  };
  walk(doc, undefined);
  const kind = doc["kind"];
  const spec = doc["spec"];
  const apiVersion = typeof doc["apiVersion"] === "string" ? doc["apiVersion"] : "";
  const operatorStarted =
    (apiVersion.startsWith("monitoring.coreos.com/") && (kind === "Prometheus" || kind === "Alertmanager")) ||
    apiVersion.includes(".k8s.elastic.co/");
  if (operatorStarted && isObj(spec) && typeof spec["image"] === "string") {
    const secrets = podTemplateSpecs(spec).reduce<string[] | undefined>(
      (common, podSpec) => {
        const names = pullSecretNames(podSpec);
        return common === undefined ? names : common.filter((n) => names.includes(n));
      },
      Array.isArray(spec["imagePullSecrets"]) ? pullSecretNames(spec) : undefined,
    );
    out.push({ image: spec["image"], from: `${from} spec.image`, pullSecrets: secrets ?? [] });
  }
  return out;
}

/** The pod specs of a custom resource's pod templates (ECK: `podTemplate`, per node set, per DaemonSet). */
function podTemplateSpecs(value: unknown): Obj[] {
  if (Array.isArray(value)) return value.flatMap(podTemplateSpecs);
  if (!isObj(value)) return [];
  const own =
    isObj(value["podTemplate"]) && isObj(value["podTemplate"]["spec"]) ? [value["podTemplate"]["spec"]] : [];
  return [
    ...own,
    ...Object.entries(value)
      .filter(([k]) => k !== "podTemplate")
      .flatMap(([, v]) => podTemplateSpecs(v)),
  ];
}

/** The `imagePullSecrets` of every ServiceAccount among the objects, by name. */
export function serviceAccountPullSecrets(docs: readonly unknown[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const doc of docs) {
    if (!isObj(doc) || doc["kind"] !== "ServiceAccount" || !isObj(doc["metadata"])) continue;
    const name = doc["metadata"]["name"];
    if (typeof name === "string") out.set(name, pullSecretNames(doc));
  }
  return out;
}

/**
 * The proxy image istiod injects into every meshed pod (and into the gateway's `image: auto`),
 * from the values istiod's injector ConfigMap carries: `<global.hub>/<global.proxy.image>:<global.tag>`.
 * Injected pods get `global.imagePullSecrets`. Undefined when the objects hold no injector.
 */
export function istioProxyImage(docs: readonly unknown[]): PulledImage | undefined {
  for (const doc of docs) {
    if (!isObj(doc) || doc["kind"] !== "ConfigMap") continue;
    const meta = doc["metadata"];
    if (
      !isObj(meta) ||
      typeof meta["name"] !== "string" ||
      !meta["name"].startsWith("istio-sidecar-injector")
    )
      continue;
    const data = doc["data"];
    if (!isObj(data) || typeof data["values"] !== "string") continue;
    const values = JSON.parse(data["values"]) as {
      global: { hub: string; tag: string; proxy: { image: string }; imagePullSecrets?: string[] };
    };
    const image = values.global.proxy.image;
    return {
      image: image.includes("/") ? image : `${values.global.hub}/${image}:${values.global.tag}`,
      from: `${nameOf(doc)} (the injected istio-proxy)`,
      pullSecrets: values.global.imagePullSecrets ?? [],
    };
  }
  return undefined;
}
