import { execFileSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as path from "path";
import { Kube } from "./kube";

/**
 * The loopback stand-in for every admission webhook and aggregated API the charts register.
 *
 * On the test cluster no pod really runs, so nothing serves istiod's sidecar injector and
 * validator, the Prometheus operator's or ECK's webhooks, or metrics-server's APIService. The API
 * server calls them at the Service's cluster IP, which lies in 127.0.0.0/8 (tools/e2e/cluster.sh),
 * so the call stays on this machine; with nothing listening there, a webhook whose failurePolicy
 * is Fail refuses every matching request and the APIService stays unavailable (which stalls
 * namespace deletion). This process listens on exactly those cluster IPs and ports:
 * - an admission review is allowed, unchanged (no sidecar is injected, nothing is validated);
 * - the metrics API answers discovery and returns empty lists.
 * Where the real pod would put its CA into the webhook configuration (istiod, the operator's
 * patch Job, the ECK operator), this does the same with its own CA. It never dials anything but
 * the API server on 127.0.0.1.
 *
 * It also plays two parts of real controllers that no fake pod can: a LoadBalancer Service gets a
 * (loopback) address, and ECK's Elasticsearch and Kibana report healthy. Each is logged.
 *
 * Run: node bin/tools/e2e/webhook-stand-in.js (with E2E_RUN_DIR and E2E_API_PORT set).
 */

interface ServiceRef {
  namespace: string;
  name: string;
  port?: number;
}

interface Listener {
  server: https.Server;
  key: string;
}

const kube = Kube.fromEnv();
const dir = path.join(kube.runDir, "stand-in");
fs.mkdirSync(dir, { recursive: true });
const caKey = path.join(dir, "ca.key");
const caCrt = path.join(dir, "ca.crt");
if (!fs.existsSync(caCrt)) {
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=e2e-webhook-stand-in",
      "-keyout",
      caKey,
      "-out",
      caCrt,
    ],
    { stdio: "ignore" },
  );
}
const caBundle = fs.readFileSync(caCrt).toString("base64");
const listeners = new Map<string, Listener>();

function log(message: string): void {
  console.log(`[stand-in] ${new Date().toISOString()} ${message}`);
}

/** A serving certificate for `<name>.<namespace>.svc`, signed by the stand-in's CA. */
function certificateFor(ref: ServiceRef): { key: Buffer; cert: Buffer } {
  const base = path.join(dir, `${ref.namespace}.${ref.name}`);
  if (!fs.existsSync(`${base}.crt`)) {
    const dns = [ref.name, `${ref.name}.${ref.namespace}`, `${ref.name}.${ref.namespace}.svc`];
    execFileSync(
      "openssl",
      [
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        `/CN=${dns[2] ?? ref.name}`,
        "-keyout",
        `${base}.key`,
        "-out",
        `${base}.csr`,
      ],
      { stdio: "ignore" },
    );
    fs.writeFileSync(`${base}.ext`, `subjectAltName=${dns.map((d) => `DNS:${d}`).join(",")}\n`);
    execFileSync(
      "openssl",
      [
        "x509",
        "-req",
        "-in",
        `${base}.csr`,
        "-CA",
        caCrt,
        "-CAkey",
        caKey,
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        `${base}.ext`,
        "-out",
        `${base}.crt`,
      ],
      { stdio: "ignore" },
    );
  }
  return { key: fs.readFileSync(`${base}.key`), cert: fs.readFileSync(`${base}.crt`) };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", reject);
  });
}

const METRICS_GROUP_VERSION = "metrics.k8s.io/v1beta1";

/** Answers one request: admission reviews are allowed, the metrics API is empty. */
async function handle(ref: ServiceRef, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = req.url ?? "/";
  const send = (status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  if (req.method === "POST") {
    const review = JSON.parse(await readBody(req)) as {
      apiVersion?: string;
      request?: { uid?: string; kind?: { kind?: string }; name?: string; namespace?: string };
    };
    const r = review.request ?? {};
    log(
      `admitted ${r.kind?.kind ?? "?"} ${r.namespace ?? ""}/${r.name ?? ""} for ${ref.namespace}/${ref.name}${url}`,
    );
    send(200, {
      apiVersion: review.apiVersion ?? "admission.k8s.io/v1",
      kind: "AdmissionReview",
      response: { uid: r.uid ?? "", allowed: true },
    });
    return;
  }
  if (url.startsWith(`/apis/${METRICS_GROUP_VERSION}`)) {
    const rest = url.slice(`/apis/${METRICS_GROUP_VERSION}`.length).split("?")[0] ?? "";
    if (rest === "" || rest === "/") {
      send(200, {
        kind: "APIResourceList",
        apiVersion: "v1",
        groupVersion: METRICS_GROUP_VERSION,
        resources: [
          { name: "nodes", singularName: "", namespaced: false, kind: "NodeMetrics", verbs: ["get", "list"] },
          { name: "pods", singularName: "", namespaced: true, kind: "PodMetrics", verbs: ["get", "list"] },
        ],
      });
      return;
    }
    const kind = rest.endsWith("/nodes") ? "NodeMetricsList" : "PodMetricsList";
    send(200, { kind, apiVersion: METRICS_GROUP_VERSION, metadata: {}, items: [] });
    return;
  }
  send(200, { status: "ok" });
}

/** Listens on the Service's cluster IP and port, once. */
async function serve(ref: ServiceRef): Promise<void> {
  const svc = await kube.get(`/api/v1/namespaces/${ref.namespace}/services/${ref.name}`);
  const ip = svc?.spec?.["clusterIP"];
  if (typeof ip !== "string" || ip === "None") return;
  if (!ip.startsWith("127.")) {
    log(`refusing to serve ${ref.namespace}/${ref.name}: cluster IP ${ip} is not loopback`);
    return;
  }
  // A webhook names the Service's port; the API server dials the matching targetPort-less port.
  const port = ref.port ?? 443;
  const key = `${ip}:${port}`;
  if (listeners.has(key)) return;
  const server = https.createServer(certificateFor(ref), (req, res) => {
    handle(ref, req, res).catch((e: unknown) => {
      log(`error: ${String(e)}`);
      res.writeHead(500);
      res.end();
    });
  });
  listeners.set(key, { server, key });
  await new Promise<void>((resolve) => {
    server.once("error", (e) => {
      log(`cannot listen on ${key} for ${ref.namespace}/${ref.name}: ${e.message}`);
      listeners.delete(key);
      resolve();
    });
    server.listen(port, ip, () => {
      log(`serving ${ref.namespace}/${ref.name} on ${key}`);
      resolve();
    });
  });
}

/** Puts the stand-in's CA into every webhook of a configuration that calls a Service, as the real pod would. */
async function patchWebhooks(
  kind: "validatingwebhookconfigurations" | "mutatingwebhookconfigurations",
): Promise<void> {
  const base = `/apis/admissionregistration.k8s.io/v1/${kind}`;
  for (const cfg of await kube.list(base)) {
    const webhooks = (cfg["webhooks"] ?? []) as {
      clientConfig?: { service?: ServiceRef; caBundle?: string };
    }[];
    const ops: unknown[] = [];
    for (const [i, wh] of webhooks.entries()) {
      const service = wh.clientConfig?.service;
      if (service === undefined) continue;
      await serve(service);
      if (wh.clientConfig?.caBundle !== caBundle) {
        ops.push({ op: "add", path: `/webhooks/${i}/clientConfig/caBundle`, value: caBundle });
      }
    }
    if (ops.length > 0) {
      const res = await kube.request(
        "PATCH",
        `${base}/${cfg.metadata.name}`,
        ops,
        "application/json-patch+json",
      );
      log(`${kind}/${cfg.metadata.name}: CA bundle set (${res.status})`);
    }
  }
}

async function serveApiServices(): Promise<void> {
  for (const svc of await kube.list("/apis/apiregistration.k8s.io/v1/apiservices")) {
    const ref = svc.spec?.["service"] as ServiceRef | undefined;
    if (ref === undefined) continue;
    await serve(ref);
    if (svc.spec?.["insecureSkipTLSVerify"] !== true && svc.spec?.["caBundle"] !== caBundle) {
      const res = await kube.request(
        "PATCH",
        `/apis/apiregistration.k8s.io/v1/apiservices/${svc.metadata.name}`,
        { spec: { caBundle } },
        "application/merge-patch+json",
      );
      log(`apiservice/${svc.metadata.name}: CA bundle set (${res.status})`);
    }
  }
}

/**
 * A LoadBalancer Service gets its cluster IP (a loopback address) as its ingress, as a cloud's load
 * balancer controller (or kind's cloud-provider-kind) would give it an address; without one, Helm's
 * --wait never ends.
 */
async function assignLoadBalancers(): Promise<void> {
  for (const svc of await kube.list("/api/v1/services")) {
    if (svc.spec?.["type"] !== "LoadBalancer") continue;
    const lb = svc.status?.["loadBalancer"] as { ingress?: unknown[] } | undefined;
    if ((lb?.ingress ?? []).length > 0) continue;
    const ip = svc.spec["clusterIP"];
    if (typeof ip !== "string" || !ip.startsWith("127.")) continue;
    const ns = svc.metadata.namespace ?? "default";
    const res = await kube.request(
      "PATCH",
      `/api/v1/namespaces/${ns}/services/${svc.metadata.name}/status`,
      { status: { loadBalancer: { ingress: [{ ip }] } } },
      "application/merge-patch+json",
    );
    log(`service ${ns}/${svc.metadata.name}: load balancer ingress ${ip} set (${res.status})`);
  }
}

/**
 * ECK's part that no fake pod can play: the operator reports an Elasticsearch cluster Ready (and
 * green) once its nodes run, and Kibana green. The program waits for `.status.phase=Ready`
 * (pulumi.com/waitFor); this sets that status, and says so, rather than the test weakening the wait.
 */
async function reportElasticHealth(): Promise<void> {
  const kinds: [string, Record<string, unknown>][] = [
    ["/apis/elasticsearch.k8s.elastic.co/v1/elasticsearches", { phase: "Ready", health: "green" }],
    ["/apis/kibana.k8s.elastic.co/v1/kibanas", { health: "green" }],
  ];
  for (const [base, status] of kinds) {
    for (const obj of await kube.list(base)) {
      const current = obj.status ?? {};
      if (Object.entries(status).every(([k, v]) => current[k] === v)) continue;
      const ns = obj.metadata.namespace ?? "default";
      const url = `${base.replace(/\/(\w+)$/, `/namespaces/${ns}/$1`)}/${obj.metadata.name}/status`;
      const res = await kube.request("PATCH", url, { status }, "application/merge-patch+json");
      log(
        `${base.split("/").pop() ?? ""} ${ns}/${obj.metadata.name}: status ${JSON.stringify(status)} set in the operator's place (${res.status})`,
      );
    }
  }
}

async function loop(): Promise<void> {
  for (;;) {
    try {
      await patchWebhooks("validatingwebhookconfigurations");
      await patchWebhooks("mutatingwebhookconfigurations");
      await serveApiServices();
      await assignLoadBalancers();
      await reportElasticHealth();
    } catch (e) {
      log(`error: ${String(e)}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

log(`started; CA ${caCrt}`);
void loop();
