/**
 * A real sign-on round trip on loopback, without a cluster: the real oauth2-proxy (the version of
 * tools/sign-on/build-loopback.sh) runs with the config file the program renders into its
 * release, against a mock OIDC issuer (github.com/oauth2-proxy/mockoidc) over HTTPS on 127.0.0.1.
 * The gateway's part is played by a small stand-in of Envoy's HTTP external authorizer, which
 * passes exactly the headers the program's mesh provider entry lists: a check request to
 * oauth2-proxy first; on 200 the request goes on to a stub upstream, on anything else oauth2-proxy's
 * answer goes back to the browser.
 */
import { expect } from "chai";
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as readline from "readline";
import { OAUTH2_PROXY_PROVIDER, OAUTH2_PROXY_RELEASE } from "../../components/sign-on";
import { runProgram } from "../../tools/lib/run-program";
import { PROJECT_DIR, release, stackInput, valueOf } from "../lib/helpers";

const HOST = "prometheus.observability.example.com";
const CLIENT_ID = "observability";
const CLIENT_SECRET = "loopback-client-secret";
const COOKIE_SECRET = "0123456789abcdef0123456789abcdef";

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(url: string, opts: https.RequestOptions & { ca?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const mod = url.startsWith("https:") ? https : http;
    const req = mod.request(url, { method: "GET", ...opts }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => {
        resolve(port);
      });
    });
  });
}

/** A cookie jar of name=value pairs, from Set-Cookie headers. */
class Jar {
  private readonly cookies = new Map<string, string>();
  take(headers: http.IncomingHttpHeaders): void {
    for (const c of headers["set-cookie"] ?? []) {
      const [pair = ""] = c.split(";");
      const i = pair.indexOf("=");
      const value = pair.slice(i + 1);
      if (value === "") this.cookies.delete(pair.slice(0, i));
      else this.cookies.set(pair.slice(0, i), value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

/** The mesh's provider entry for oauth2-proxy, as Envoy's ext_authz HTTP filter takes it. */
interface ExtAuthzHttp {
  port: number;
  includeRequestHeadersInCheck: string[];
  headersToUpstreamOnAllow: string[];
  headersToDownstreamOnAllow: string[];
  headersToDownstreamOnDeny: string[];
}

function pick(
  headers: http.IncomingHttpHeaders,
  names: readonly string[],
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const n of names) {
    const v = headers[n.toLowerCase()];
    if (v !== undefined) out[n.toLowerCase()] = v;
  }
  return out;
}

describe("sign-on round trip on loopback (real oauth2-proxy, mock OIDC issuer)", function () {
  this.timeout(120_000);
  let bin = "";
  let tmp = "";
  const children: ChildProcess[] = [];
  let issuer = "";
  let control = "";
  let ca = "";
  let proxy = "";
  let upstream: http.Server | undefined;
  let upstreamUrl = "";
  let provider: ExtAuthzHttp;

  before(async function () {
    this.timeout(0); // a cold build compiles oauth2-proxy and the mock issuer (tools/sign-on/build-loopback.sh)
    bin = execFileSync("bash", [path.join(PROJECT_DIR, "tools/sign-on/build-loopback.sh")], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    }).trim();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sign-on-"));
    const caFile = path.join(tmp, "issuer-ca.pem");
    const mock = spawn(
      path.join(bin, "mockoidc"),
      ["-client-id", CLIENT_ID, "-client-secret", CLIENT_SECRET, "-ca-out", caFile],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    children.push(mock);
    const first = await new Promise<string>((resolve, reject) => {
      readline.createInterface({ input: mock.stdout }).once("line", resolve);
      mock.once("exit", (code) => {
        reject(new Error(`mockoidc exited with ${String(code)}`));
      });
    });
    ({ issuer, control } = JSON.parse(first) as { issuer: string; control: string });
    ca = fs.readFileSync(caFile, "utf8");

    // The program's own values for a prod stack signing on at the mock issuer.
    const run = await runProgram(
      stackInput("prod", {
        signOn: {
          enabled: true,
          issuer,
          clientId: CLIENT_ID,
          existingSecret: "observability-sign-on",
          endpoints: {
            authorization: `${issuer}/authorize`,
            token: `${issuer}/token`,
            userinfo: `${issuer}/userinfo`,
          },
          grafana: { admins: ["platform-admins"] },
          allowedGroups: ["sre"],
        },
      }),
    );
    const configFile = valueOf(release(run.resources, OAUTH2_PROXY_RELEASE), "config.configFile") as string;
    const providers = valueOf(release(run.resources, "istiod"), "meshConfig.extensionProviders") as {
      name: string;
      envoyExtAuthzHttp?: ExtAuthzHttp;
    }[];
    const entry = providers.find((p) => p.name === OAUTH2_PROXY_PROVIDER)?.envoyExtAuthzHttp;
    if (entry === undefined) throw new Error("no oauth2-proxy provider in the mesh config");
    provider = entry;
    fs.writeFileSync(path.join(tmp, "oauth2_proxy.cfg"), configFile);

    const stub = http.createServer((req, res) => {
      res.end(`upstream reached by ${String(req.headers["x-auth-request-email"])}`);
    });
    upstream = stub;
    await new Promise<void>((r) => stub.listen(0, "127.0.0.1", r));
    upstreamUrl = `http://127.0.0.1:${(stub.address() as net.AddressInfo).port}`;

    // The chart's arguments (--http-address, --config), on loopback.
    const port = await freePort();
    proxy = `http://127.0.0.1:${port}`;
    const o2p = spawn(
      path.join(bin, "oauth2-proxy"),
      [`--http-address=127.0.0.1:${port}`, `--config=${path.join(tmp, "oauth2_proxy.cfg")}`],
      {
        // Its access log (stdout) would fill the suite's output; errors still show.
        stdio: ["ignore", "ignore", "inherit"],
        env: {
          PATH: process.env["PATH"] ?? "",
          // The Secret's two keys, as the chart passes them; the issuer's CA, as a cluster's trust store would.
          OAUTH2_PROXY_CLIENT_SECRET: CLIENT_SECRET,
          OAUTH2_PROXY_COOKIE_SECRET: COOKIE_SECRET,
          SSL_CERT_FILE: caFile,
        },
      },
    );
    children.push(o2p);
    for (let i = 0; ; i++) {
      const up = await request(`${proxy}/ping`).catch(() => undefined);
      if (up?.status === 200) break;
      if (i > 100) throw new Error("oauth2-proxy did not answer /ping");
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  after(() => {
    for (const c of children) c.kill();
    if (upstream !== undefined) upstream.close();
    if (tmp !== "") fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** One request through the gateway stand-in: Envoy's ext_authz HTTP filter with the provider entry. */
  async function viaGateway(pathAndQuery: string, jar: Jar): Promise<Reply> {
    const headers = { host: HOST, cookie: jar.header() };
    const check = await request(`${proxy}${pathAndQuery}`, {
      headers: { host: HOST, ...pick(headers, provider.includeRequestHeadersInCheck) },
    });
    if (check.status !== 200) {
      const denied = { ...check, headers: pick(check.headers, provider.headersToDownstreamOnDeny) };
      jar.take(denied.headers);
      return denied;
    }
    const up = await request(`${upstreamUrl}${pathAndQuery}`, {
      headers: { host: HOST, ...pick(check.headers, provider.headersToUpstreamOnAllow) },
    });
    jar.take(pick(check.headers, provider.headersToDownstreamOnAllow));
    return up;
  }

  /** Signs on as a user of these groups: the provider's login, its redirect back, the callback. */
  async function signOn(groups: string[], jar: Jar): Promise<{ start: Reply; callback: Reply }> {
    const start = await viaGateway("/graph", jar);
    const user = { subject: `user-${groups.join("-")}`, email: `${groups.join("-")}@example.com`, groups };
    await new Promise<void>((resolve, reject) => {
      const req = http.request(`${control}/user`, { method: "POST" }, (res) => {
        res.resume();
        res.on("end", () => {
          res.statusCode === 204 ? resolve() : reject(new Error("queue user"));
        });
      });
      req.end(JSON.stringify(user));
    });
    const login = await request(String(start.headers.location), { ca });
    const back = new URL(String(login.headers.location));
    expect(back.host).to.equal(HOST);
    expect(back.pathname).to.equal("/oauth2/callback");
    const callback = await viaGateway(`${back.pathname}${back.search}`, jar);
    return { start, callback };
  }

  it("redirects an unauthenticated request to the issuer", async () => {
    const r = await viaGateway("/graph", new Jar());
    expect(r.status).to.equal(302);
    const to = new URL(String(r.headers.location));
    expect(`${to.origin}${to.pathname}`).to.equal(`${issuer}/authorize`);
    expect(to.searchParams.get("client_id")).to.equal(CLIENT_ID);
    expect(to.searchParams.get("redirect_uri")).to.equal(`https://${HOST}/oauth2/callback`);
    expect(to.searchParams.get("code_challenge_method")).to.equal("S256");
    expect(to.searchParams.get("scope")).to.equal("openid email profile groups");
  });

  it("proxies a user of an allowed group to the upstream after the code flow", async () => {
    const jar = new Jar();
    const { callback } = await signOn(["sre"], jar);
    expect(callback.status).to.equal(302);
    expect(callback.headers.location).to.equal("/graph");
    const r = await viaGateway("/graph", jar);
    expect(r.status).to.equal(200);
    expect(r.body).to.equal("upstream reached by sre@example.com");
  });

  it("refuses a user outside the allowed groups", async () => {
    const jar = new Jar();
    const { callback } = await signOn(["developers"], jar);
    expect(callback.status).to.equal(403);
    const r = await viaGateway("/graph", jar);
    expect(r.status).to.equal(302);
    expect(r.body).not.to.include("upstream reached");
  });
});
