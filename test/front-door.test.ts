import { expect } from "chai";
import { CHARTS, parseStackConfig } from "../components/core";
import { stackModel } from "../components/core";
import {
  ACME_CHALLENGE_PREFIX,
  certManagerValues,
  issuerManifests,
  notUnderPrefix,
  routeManifests,
  frontDoorUis,
} from "../components/front-door";
import { DEFAULT_RESOURCES } from "../components/core";
import { ProgramRun } from "../tools/lib/run-program";
import { validateCustomResource } from "./lib/crd-schema";
import { errorFor } from "./lib/config-error";
import { find, release, run, stackInput, valueOf } from "./lib/helpers";
import { requireUpstream } from "./lib/upstream";

const kind = { cluster: { type: "kind", context: "kind-observability" } };
const cloud = { cluster: { type: "cloud", context: "prod" } };
const GATEWAY = "kubernetes:networking.istio.io/v1:Gateway";
const VIRTUAL_SERVICE = "kubernetes:networking.istio.io/v1:VirtualService";
const CERTIFICATE = "kubernetes:cert-manager.io/v1:Certificate";
const CLUSTER_ISSUER = "kubernetes:cert-manager.io/v1:ClusterIssuer";

/** The config error for `raw` holds each of the problems. */
function expectProblems(raw: Record<string, unknown>, ...problems: string[]): void {
  const message = errorFor(raw);
  for (const p of problems) expect(message).to.include(p);
}

describe("front door config", () => {
  it("is on by default on kind, with the self-signed CA and the loopback domain", () => {
    const fd = parseStackConfig(kind).frontDoor;
    expect(fd.enabled).to.equal(true);
    expect(fd.domain).to.equal("observability.localhost");
    expect(fd.signer).to.deep.equal({ kind: "selfSigned" });
  });

  it("is off by default on cloud and without the gateway", () => {
    expect(parseStackConfig(cloud).frontDoor.enabled).to.equal(false);
    expect(parseStackConfig({ ...kind, mesh: { gateway: { enabled: false } } }).frontDoor.enabled).to.equal(
      false,
    );
  });

  it("reads each issuer with exactly what it needs", () => {
    const on = (frontDoor: Record<string, unknown>) =>
      parseStackConfig({ ...cloud, frontDoor: { enabled: true, domain: "o.example.com", ...frontDoor } })
        .frontDoor.signer;
    expect(on({ acme: { email: "a@example.com" } })).to.deep.equal({
      kind: "acme",
      server: "https://acme-v02.api.letsencrypt.org/directory",
      email: "a@example.com",
      solver: { http01: true },
    });
    expect(
      on({ acme: { email: "a@example.com", solver: "dns01", dns01: { route53: { region: "eu-west-1" } } } }),
    ).to.deep.equal({
      kind: "acme",
      server: "https://acme-v02.api.letsencrypt.org/directory",
      email: "a@example.com",
      solver: { dns01: { route53: { region: "eu-west-1" } } },
    });
    expect(on({ issuer: "ca", ca: { secretName: "my-ca" } })).to.deep.equal({
      kind: "ca",
      secretName: "my-ca",
    });
  });

  it("refuses a cloud front door without a domain or an ACME e-mail, naming the keys", () => {
    expectProblems(
      { ...cloud, frontDoor: { enabled: true } },
      "frontDoor.domain: is required on cloud: every UI gets a host under it; set `pulumi config set --path frontDoor.domain observability.example.com` and point *.observability.example.com at the gateway's LoadBalancer",
      "frontDoor.acme.email: is required with frontDoor.issuer acme: the ACME server registers an account for it; set `pulumi config set --path frontDoor.acme.email platform@example.com`",
    );
  });

  it("refuses dns01 without its block, ca without its Secret, and a front door without the gateway", () => {
    expectProblems(
      {
        ...cloud,
        frontDoor: {
          enabled: true,
          domain: "o.example.com",
          acme: { email: "a@example.com", solver: "dns01" },
        },
      },
      "frontDoor.acme.dns01: is required with frontDoor.acme.solver dns01; set cert-manager's dns01 block in the stack file, e.g. frontDoor.acme.dns01: {route53: {region: eu-west-1}}",
    );
    expectProblems(
      { ...kind, frontDoor: { issuer: "ca" } },
      "frontDoor.ca.secretName: is required with frontDoor.issuer ca; create a Secret with your CA's tls.crt and tls.key in namespace cert-manager and set `pulumi config set --path frontDoor.ca.secretName observability-ca`",
    );
    expectProblems(
      { ...kind, frontDoor: { enabled: true }, mesh: { gateway: { enabled: false } } },
      "frontDoor.enabled: is true but the ingress gateway does not run (mesh.enabled or mesh.gateway.enabled is false), and the front door is served by it; set `pulumi config set --path mesh.gateway.enabled true`, or `pulumi config set --path frontDoor.enabled false`",
    );
    expectProblems(
      { ...cloud, frontDoor: { enabled: true, domain: "Not A Domain", issuer: "selfSigned" } },
      "frontDoor.domain: must be a DNS domain of at least two labels, in lowercase, such as observability.example.com",
    );
  });

  it("refuses Grafana on a LoadBalancer without TLS, naming the keys that serve it over TLS", () => {
    expectProblems(
      { ...cloud, mesh: { grafanaGateway: { enabled: true } } },
      "mesh.grafanaGateway.enabled: is true with mesh.gateway.serviceType LoadBalancer, which would publish Grafana over plain HTTP on an address outside the cluster; serve it over TLS through the front door: `pulumi config rm --path mesh.grafanaGateway.enabled`, `pulumi config set --path frontDoor.enabled true`, `pulumi config set --path frontDoor.domain observability.example.com` and `pulumi config set --path frontDoor.acme.email platform@example.com` (docs/reaching-the-stack.md); or keep the gateway inside the cluster with `pulumi config set --path mesh.gateway.serviceType ClusterIP`",
    );
    // Inside the cluster (ClusterIP, or NodePort on kind) plain HTTP stays a choice.
    expect(
      parseStackConfig({
        ...cloud,
        mesh: { gateway: { serviceType: "ClusterIP" }, grafanaGateway: { enabled: true } },
      }).mesh.grafanaGateway.enabled,
    ).to.equal(true);
    expect(
      parseStackConfig({ ...kind, mesh: { grafanaGateway: { enabled: true } } }).frontDoor.enabled,
    ).to.equal(true);
  });
});

describe("front door warnings", () => {
  it("warns that ACME over HTTP-01 cannot reach a gateway inside the cluster, and names the keys", () => {
    const config = parseStackConfig({
      ...cloud,
      mesh: { gateway: { serviceType: "ClusterIP" } },
      frontDoor: { enabled: true, domain: "o.example.com", acme: { email: "a@example.com" } },
    });
    expect(stackModel(config).warnings).to.include(
      "frontDoor.acme.solver is http01 but mesh.gateway.serviceType is ClusterIP, so the ACME server cannot fetch its challenges from the gateway and no certificate is issued: set `pulumi config set --path frontDoor.acme.solver dns01` with frontDoor.acme.dns01, or `pulumi config set --path frontDoor.issuer ca` with frontDoor.ca.secretName",
    );
    // On a LoadBalancer, and with DNS-01, nothing to warn about.
    for (const raw of [
      { ...cloud, frontDoor: { enabled: true, domain: "o.example.com", acme: { email: "a@example.com" } } },
      {
        ...cloud,
        mesh: { gateway: { serviceType: "ClusterIP" } },
        frontDoor: {
          enabled: true,
          domain: "o.example.com",
          acme: { email: "a@example.com", solver: "dns01", dns01: { route53: { region: "eu-west-1" } } },
        },
      },
    ]) {
      expect(
        stackModel(parseStackConfig(raw)).warnings.filter((w) => w.startsWith("frontDoor.")),
      ).to.deep.equal([]);
    }
  });
});

describe("front door builders", () => {
  it("redirects every path to HTTPS but ACME's HTTP-01 challenges", () => {
    const re = new RegExp(notUnderPrefix(ACME_CHALLENGE_PREFIX));
    for (const path of ["/", "/login", "/.well-known/", "/.well-known/acme-challenge", "/api/health?x=1"]) {
      expect(re.test(path), path).to.equal(true);
    }
    for (const path of ["/.well-known/acme-challenge/", "/.well-known/acme-challenge/token-123"]) {
      expect(re.test(path), path).to.equal(false);
    }
  });

  it("sizes cert-manager per sizing, with its CRDs kept in its own release and two webhooks in production", () => {
    const laptop = certManagerValues({
      namespace: "cert-manager",
      sizing: "laptop",
      resources: DEFAULT_RESOURCES.laptop,
    });
    expect(laptop).to.deep.include({
      crds: { enabled: true, keep: true },
      startupapicheck: { enabled: false },
    });
    expect(valueAtPath(laptop, "webhook.replicaCount")).to.equal(1);
    const production = certManagerValues({
      namespace: "cert-manager",
      sizing: "production",
      resources: DEFAULT_RESOURCES.production,
    });
    expect(valueAtPath(production, "webhook.replicaCount")).to.equal(2);
    expect(valueAtPath(production, "webhook.podDisruptionBudget")).to.deep.equal({
      enabled: true,
      minAvailable: 1,
    });
  });

  it("builds issuers cert-manager's CRDs accept, for each kind and solver", function () {
    requireUpstream(this, "crds");
    const issuers = [
      ...issuerManifests({ kind: "selfSigned" }, "cert-manager"),
      ...issuerManifests({ kind: "ca", secretName: "my-ca" }, "cert-manager"),
      ...issuerManifests(
        {
          kind: "acme",
          server: "https://acme.example.com/dir",
          email: "a@example.com",
          solver: { http01: true },
        },
        "cert-manager",
      ),
      ...issuerManifests(
        {
          kind: "acme",
          server: "https://acme.example.com/dir",
          email: "a@example.com",
          solver: { dns01: { route53: { region: "eu-west-1" } } },
        },
        "cert-manager",
      ),
      ...issuerManifests(
        {
          kind: "acme",
          server: "https://acme.example.com/dir",
          email: "a@example.com",
          solver: { http01: true },
        },
        "cert-manager",
        ["registry-credentials"],
      ),
    ];
    expect(issuers.map((i) => i.kind)).to.deep.equal([
      "ClusterIssuer",
      "Certificate",
      "ClusterIssuer",
      "ClusterIssuer",
      "ClusterIssuer",
      "ClusterIssuer",
      "ClusterIssuer",
    ]);
    // With pull secrets, the HTTP-01 solver's pods pull with them.
    expect(JSON.stringify(issuers[issuers.length - 1]?.spec)).to.include(
      '"spec":{"imagePullSecrets":[{"name":"registry-credentials"}]}',
    );
    for (const obj of issuers) {
      expect(
        validateCustomResource(obj as unknown as Record<string, unknown>),
        obj.metadata.name,
      ).to.deep.equal([]);
    }
    const uis = frontDoorUis("o.example.com", {
      grafana: { namespace: "monitoring", service: "g", port: 80 },
    });
    for (const obj of routeManifests({
      uis,
      gatewayNamespace: "istio-ingress",
      gatewaySelector: { istio: "x" },
    })) {
      expect(
        validateCustomResource(obj as unknown as Record<string, unknown>),
        obj.metadata.name,
      ).to.deep.equal([]);
    }
    // A misspelt solver is caught: the schema check is not vacuous.
    const bad = issuerManifests({ kind: "ca", secretName: "x" }, "cert-manager")[0];
    expect(validateCustomResource({ ...bad, spec: { ca: { secret: "x" } } })).to.not.deep.equal([]);
  });
});

function valueAtPath(values: Record<string, unknown>, dotted: string): unknown {
  let cur: unknown = values;
  for (const part of dotted.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

describe("the front door under mocks", () => {
  const runs = new Map<string, ProgramRun>();
  before(async () => {
    for (const stack of ["dev", "prod", "large"]) runs.set(stack, await run(stackInput(stack)));
  });
  const of = (stack: string): ProgramRun => {
    const r = runs.get(stack);
    if (r === undefined) throw new Error(`no run of ${stack}`);
    return r;
  };

  it("dev: the self-signed CA chain, one certificate for every UI's host, and the CA as a command output", () => {
    const { resources, outputs } = of("dev");
    const cm = release(resources, "cert-manager");
    expect(cm.inputs).to.include({
      chart: "cert-manager",
      version: CHARTS.certManager.version,
      namespace: "cert-manager",
    });
    expect(cm.dependsOn).to.deep.equal(["ns-cert-manager"]);
    expect(find(resources, CLUSTER_ISSUER, "clusterissuer-observability-selfsigned").dependsOn).to.deep.equal(
      ["cert-manager", "ns-cert-manager"],
    );
    expect(find(resources, CERTIFICATE, "certificate-cert-manager-observability-ca").dependsOn).to.deep.equal(
      ["cert-manager", "ns-cert-manager", "clusterissuer-observability-selfsigned"],
    );
    const cert = find(resources, CERTIFICATE, "certificate-istio-ingress-front-door");
    expect((cert.inputs["spec"] as { dnsNames: string[] }).dnsNames).to.deep.equal([
      "grafana.observability.localhost",
      "prometheus.observability.localhost",
      "alertmanager.observability.localhost",
      "jaeger.observability.localhost",
    ]);
    expect(cert.dependsOn).to.include.members([
      "cert-manager",
      "ns-istio-ingress",
      "clusterissuer-observability",
    ]);
    expect(outputs["frontDoor"]).to.deep.equal({
      domain: "observability.localhost",
      issuer: "selfSigned",
      urls: {
        grafana: "https://grafana.observability.localhost:8443",
        prometheus: "https://prometheus.observability.localhost:8443",
        alertmanager: "https://alertmanager.observability.localhost:8443",
        jaeger: "https://jaeger.observability.localhost:8443",
      },
      portForward: "kubectl -n istio-ingress port-forward svc/istio-ingressgateway 8443:443",
      caCertificateCommand:
        "kubectl -n cert-manager get secret observability-ca -o jsonpath='{.data.ca\\.crt}' | base64 -d",
    });
  });

  for (const stack of ["prod", "large"]) {
    it(`${stack}: Let's Encrypt over HTTP-01, and on the public address every UI, behind sign-on`, () => {
      const { resources, outputs } = of(stack);
      const issuer = find(resources, CLUSTER_ISSUER, "clusterissuer-observability");
      expect((issuer.inputs["spec"] as { acme: { solvers: unknown[] } }).acme.solvers).to.deep.equal([
        {
          http01: {
            ingress: {
              class: "istio",
              podTemplate: { metadata: { labels: { "app.kubernetes.io/name": "acme-http01-solver" } } },
            },
          },
        },
      ]);
      expect(valueOf(release(resources, "cert-manager"), "webhook.replicaCount")).to.equal(2);
      const urls = (outputs["frontDoor"] as { urls: Record<string, string> }).urls;
      expect(Object.keys(urls)).to.deep.equal(["grafana", "prometheus", "alertmanager", "jaeger"]);
      for (const url of Object.values(urls))
        expect(url).to.match(/^https:\/\/[a-z]+\.observability[-a-z]*\.example\.com$/);
      expect(outputs["frontDoor"]).to.not.have.property("caCertificateCommand");
    });
  }

  it("prod: without sign-on, a UI without a login of its own is served on the LoadBalancer only when config lists it", async () => {
    const listed = await run(
      stackInput("prod", {
        frontDoor: {
          enabled: true,
          domain: "o.example.com",
          acme: { email: "a@example.com" },
          withoutSignOn: ["grafana", "prometheus"],
        },
        signOn: { enabled: false },
      }),
    );
    expect(Object.keys((listed.outputs["frontDoor"] as { urls: object }).urls)).to.deep.equal([
      "grafana",
      "prometheus",
    ]);
    expect(
      (
        find(listed.resources, CERTIFICATE, "certificate-istio-ingress-front-door").inputs["spec"] as {
          dnsNames: string[];
        }
      ).dnsNames,
    ).to.deep.equal(["grafana.o.example.com", "prometheus.o.example.com"]);
  });

  for (const stack of ["dev", "prod", "large"]) {
    it(`${stack}: no route serves a UI over plain HTTP: port 80 only redirects, or passes ACME challenges`, () => {
      const { resources } = of(stack);
      for (const gw of resources.filter((r) => r.type === GATEWAY)) {
        const servers = (
          gw.inputs["spec"] as {
            servers: {
              port: { number: number; protocol: string };
              hosts: string[];
              tls?: { credentialName?: string };
            }[];
          }
        ).servers;
        const https = servers.filter((s) => s.port.protocol === "HTTPS");
        for (const s of servers.filter((x) => x.port.protocol === "HTTP")) {
          // Every host served in the clear is served over HTTPS by the same Gateway.
          expect(
            https.flatMap((h) => h.hosts),
            gw.name,
          ).to.include.members(s.hosts);
        }
        for (const h of https) expect(h.tls?.credentialName, gw.name).to.equal("front-door-tls");
      }
      for (const vs of resources.filter((r) => r.type === VIRTUAL_SERVICE && r.name.includes("front-door"))) {
        for (const route of (
          vs.inputs["spec"] as { http: { match: { port: number }[]; route?: unknown; redirect?: unknown }[] }
        ).http) {
          const ports = route.match.map((m) => m.port);
          if (route.route !== undefined) expect(ports, vs.name).to.deep.equal([443]);
          else expect(route.redirect, vs.name).to.deep.equal({ scheme: "https", redirectCode: 301 });
        }
      }
    });
  }
});
