import * as fs from "fs";
import * as https from "https";
import * as path from "path";

/**
 * A minimal client for the e2e test cluster's API server, authenticated as the admin client
 * certificate that tools/e2e/cluster.sh wrote into its run directory. Only ever dials 127.0.0.1.
 */
export class Kube {
  private readonly agent: https.Agent;

  constructor(
    readonly runDir: string,
    readonly port: number,
  ) {
    const pki = path.join(runDir, "pki");
    this.agent = new https.Agent({
      ca: fs.readFileSync(path.join(pki, "ca.crt")),
      cert: fs.readFileSync(path.join(pki, "admin.crt")),
      key: fs.readFileSync(path.join(pki, "admin.key")),
      keepAlive: true,
    });
  }

  /** The cluster the environment of `npm run e2e` describes (E2E_RUN_DIR, E2E_API_PORT). */
  static fromEnv(): Kube {
    const runDir = process.env["E2E_RUN_DIR"];
    const port = Number(process.env["E2E_API_PORT"]);
    if (runDir === undefined || !Number.isInteger(port)) {
      throw new Error("E2E_RUN_DIR and E2E_API_PORT are unset: start the cluster with tools/e2e/cluster.sh");
    }
    return new Kube(runDir, port);
  }

  /** Sends one request; resolves with the status and the parsed body (undefined when empty). */
  request(
    method: string,
    urlPath: string,
    body?: unknown,
    contentType = "application/json",
  ): Promise<{ status: number; body: unknown }> {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = https.request(
        {
          host: "127.0.0.1",
          port: this.port,
          path: urlPath,
          method,
          agent: this.agent,
          headers: {
            accept: "application/json",
            ...(data === undefined
              ? {}
              : { "content-type": contentType, "content-length": Buffer.byteLength(data) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed: unknown;
            try {
              parsed = text === "" ? undefined : (JSON.parse(text) as unknown);
            } catch {
              parsed = text;
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on("error", reject);
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${urlPath}: timed out`)));
      if (data !== undefined) req.write(data);
      req.end();
    });
  }

  /** GET that must succeed; 404 gives undefined. */
  async get<T = KubeObject>(urlPath: string): Promise<T | undefined> {
    const res = await this.request("GET", urlPath);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw new Error(`GET ${urlPath}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as T;
  }

  /** The items of a list; an unknown resource type gives none. */
  async list(urlPath: string): Promise<KubeObject[]> {
    return (await this.get<{ items: KubeObject[] }>(urlPath))?.items ?? [];
  }
}

/** The parts of a Kubernetes object the e2e code reads; everything else stays untyped. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; name: string }[];
    deletionTimestamp?: string;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
}
