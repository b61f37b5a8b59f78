import { expect } from "chai";
import { parseStackConfig, stackModel } from "../components/core";
import { contributionsView, foldContributions, mergeContributedValues } from "../components/kit";
import { GRAFANA_VALUES_SLOT } from "../components/monitoring";
import { contributedProviders } from "../components/mesh";
import { oauth2ProxyValues, roleAttributePath } from "../components/sign-on";
import { buildPlan } from "../tools/lib/plan";
import { errorFor } from "./lib/config-error";
import { find, PROJECT_DIR, release, run, stackInput, stackRawConfig, valueOf } from "./lib/helpers";

const SECRET = "kubernetes:core/v1:Secret";
const cloud = { cluster: { type: "cloud", context: "prod" } };
const frontDoor = { enabled: true, domain: "o.example.com", acme: { email: "a@example.com" } };
const complete = {
  enabled: true,
  issuer: "https://login.example.com",
  clientId: "observability",
  endpoints: {
    authorization: "https://login.example.com/authorize",
    token: "https://login.example.com/token",
    userinfo: "https://login.example.com/userinfo",
  },
  grafana: { admins: ["platform-admins"], viewers: ["developers", "on call"] },
};
const withSecret = ["signOnClientSecret"];

/** The config error for a cloud stack with the front door and this signOn. */
function signOnError(signOn: Record<string, unknown>, secretKeys: string[] = withSecret): string {
  return errorFor({ ...cloud, frontDoor, signOn }, secretKeys);
}

describe("sign-on config", () => {
  it("is off by default, and dev leaves it off", () => {
    expect(parseStackConfig(cloud).signOn.enabled).to.equal(false);
    expect(stackModel(parseStackConfig(stackRawConfig("dev"))).runs.signOn).to.equal(false);
  });

  it("reads a complete sign-on with the secret key, or with an existing Secret", () => {
    const read = (signOn: Record<string, unknown>, keys: string[]) =>
      parseStackConfig({ ...cloud, frontDoor, signOn }, new Set(keys)).signOn.running;
    expect(read(complete, withSecret)).to.deep.include({
      issuer: "https://login.example.com",
      clientId: "observability",
      groupsClaim: "groups",
      scopes: ["openid", "email", "profile", "groups"],
      breakGlass: false,
      clientSecret: { existing: false, name: "sign-on" },
    });
    expect(read({ ...complete, existingSecret: "my-oidc" }, [])?.clientSecret).to.deep.equal({
      existing: true,
      name: "my-oidc",
    });
  });

  it("refuses an issuer or an endpoint that is not https, naming the key", () => {
    expect(signOnError({ ...complete, issuer: "http://login.example.com" })).to.include(
      "signOn.issuer: must be an https URL without query or fragment",
    );
    const endpoints = { ...complete.endpoints, token: "http://login.example.com/token" };
    expect(signOnError({ ...complete, endpoints })).to.include(
      "signOn.endpoints.token: must be an https URL",
    );
  });

  it("names every missing piece of an enabled sign-on and what to set", () => {
    const message = signOnError({ enabled: true }, []);
    expect(message).to.include("signOn.issuer: is required with signOn.enabled");
    expect(message).to.include("pulumi config set --path signOn.clientId observability");
    expect(message).to.include("signOn.endpoints.authorization: is required with signOn.enabled");
    expect(message).to.include("signOn.endpoints.userinfo: is required with signOn.enabled");
    expect(message).to.include("neither the secret key signOnClientSecret nor signOn.existingSecret is set");
    expect(message).to.include("pulumi config set --secret signOnClientSecret");
    expect(message).to.include("signOn.grafana: grants no Grafana role to any group");
  });

  it("refuses a client secret from two places, quoted group names and sign-on without the front door", () => {
    expect(signOnError({ ...complete, existingSecret: "my-oidc" })).to.include(
      "signOn.existingSecret: is set and so is the secret key signOnClientSecret",
    );
    expect(signOnError({ ...complete, grafana: { admins: ["it's"] } })).to.include(
      "signOn.grafana.admins[0]: must be a group name",
    );
    expect(errorFor({ ...cloud, signOn: complete }, withSecret)).to.include(
      "signOn.enabled: is true but the front door does not run",
    );
  });

  it("refuses a production-sized stack whose front door serves Grafana without sign-on, unless named", () => {
    const prod = stackRawConfig("prod");
    const off = { ...prod, signOn: { enabled: false } };
    expect(errorFor(off)).to.include(
      "signOn.enabled: is false on a production-sized stack whose front door serves Grafana",
    );
    expect(errorFor(off)).to.include("pulumi config set --path 'frontDoor.withoutSignOn[0]' grafana");
    const named = { ...off, frontDoor: { ...(prod["frontDoor"] as object), withoutSignOn: ["grafana"] } };
    expect(parseStackConfig(named).signOn.enabled).to.equal(false);
  });
});

describe("Grafana's sign-on", () => {
  it("maps the groups claim to the highest role, and nothing to a user in no group", () => {
    expect(roleAttributePath("groups", { Admin: ["a"], Editor: [], Viewer: ["v", "on call"] })).to.equal(
      "contains(groups[*], 'a') && 'Admin' || (contains(groups[*], 'v') || contains(groups[*], 'on call')) && 'Viewer'",
    );
  });

  it("prod: generic OAuth in Grafana's values, the secret from the existing Secret, no login form", async () => {
    const r = await run(stackInput("prod"));
    const stack = release(r.resources, "kube-prometheus-stack");
    const ini = (valueOf(stack, "grafana") as Record<string, unknown>)["grafana.ini"];
    expect(ini).to.deep.equal({
      server: { root_url: "https://grafana.observability.example.com" },
      auth: { disable_login_form: true, oauth_auto_login: true },
      "auth.generic_oauth": {
        enabled: true,
        name: "Single sign-on",
        client_id: "observability",
        scopes: "openid email profile groups",
        auth_url: "https://login.example.com/authorize",
        token_url: "https://login.example.com/token",
        api_url: "https://login.example.com/userinfo",
        use_pkce: true,
        allow_sign_up: true,
        login_attribute_path: "preferred_username",
        email_attribute_path: "email",
        groups_attribute_path: "groups",
        role_attribute_path:
          "contains(groups[*], 'platform-admins') && 'Admin' || contains(groups[*], 'platform-engineers') && 'Editor' || contains(groups[*], 'developers') && 'Viewer'",
        role_attribute_strict: true,
        allow_assign_grafana_admin: false,
      },
    });
    expect(valueOf(stack, "grafana.envValueFrom")).to.deep.equal({
      GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET: {
        secretKeyRef: { name: "observability-sign-on", key: "client-secret" },
      },
    });
    // The monitoring part's own Grafana values are still there beside the contribution.
    expect(valueOf(stack, "grafana.admin.existingSecret")).to.equal("grafana-admin");
    expect(r.outputs["signOn"]).to.deep.equal({
      issuer: "https://login.example.com",
      clientId: "observability",
      redirectUris: {
        grafana: "https://grafana.observability.example.com/login/generic_oauth",
        prometheus: "https://prometheus.observability.example.com/oauth2/callback",
        alertmanager: "https://alertmanager.observability.example.com/oauth2/callback",
        jaeger: "https://jaeger.observability.example.com/oauth2/callback",
      },
      breakGlass: false,
    });
  });

  it("keeps the client secret in a Secret that Grafana's release waits for, out of every value and the plan", async () => {
    const clientSecret = "0idc-Cl1ent-S3cret-4242";
    const input = stackInput(
      "prod",
      { signOn: { ...complete, breakGlass: true } },
      {
        signOnClientSecret: clientSecret,
      },
    );
    const r = await run(input);
    const secret = find(r.resources, SECRET, "observability-sign-on");
    expect(secret.inputs["stringData"]).to.equal("[secret]");
    expect(secret.inputs["metadata"]).to.deep.include({ name: "sign-on", namespace: "monitoring" });
    expect(release(r.resources, "kube-prometheus-stack").dependsOn).to.include("observability-sign-on");
    expect(release(r.resources, "oauth2-proxy").dependsOn).to.include("observability-sign-on");
    const stack = release(r.resources, "kube-prometheus-stack");
    const ini = (valueOf(stack, "grafana") as Record<string, Record<string, unknown>>)["grafana.ini"];
    expect(ini?.["auth"]).to.deep.equal({ disable_login_form: false, oauth_auto_login: false });
    expect(r.warnings.join("\n")).to.include("signOn.breakGlass: is true on a production-sized stack");
    expect(JSON.stringify(r)).not.to.include(clientSecret);
  });

  it("leaves the client secret out of the offline plan's output", async () => {
    const plan = await buildPlan(PROJECT_DIR, "prod");
    const text = JSON.stringify(plan);
    expect(text).to.include("auth.generic_oauth");
    expect(text).not.to.match(/client_secret"\s*:/);
  });
});

describe("contributions to another part's values", () => {
  it("fold by slot in registry order, and the owner waits for the resources they name", () => {
    const folded = foldContributions([{ a: 1 }, {}, { a: 2, b: 3 }]);
    expect(folded).to.deep.equal({ a: [1, 2], b: [3] });
    const view = contributionsView(folded);
    expect(view.to("a")).to.deep.equal([1, 2]);
    expect(view.to("none")).to.deep.equal([]);
    expect(view.after("a")).to.deep.equal([]);
  });

  it("only add to the owner's values: a value already set or a non-object throws, naming slot and key", () => {
    const base = { grafana: { replicas: 1 }, x: 1 };
    expect(mergeContributedValues("s", base, [{ grafana: { env: { A: "1" } } }])).to.deep.equal({
      grafana: { replicas: 1, env: { A: "1" } },
      x: 1,
    });
    expect(() => mergeContributedValues("s", base, [{ grafana: { replicas: 2 } }])).to.throw(
      "a contribution to s sets grafana.replicas, which is already set",
    );
    expect(() => mergeContributedValues("s", base, [{ y: 1 }, { y: 2 }])).to.throw("sets y");
    expect(() => mergeContributedValues("s", base, ["no"])).to.throw("is not an object of values");
  });

  it("prod's model holds sign-on's contribution to Grafana's values, and dev's none", () => {
    const prod = stackModel(parseStackConfig(stackRawConfig("prod")));
    expect(prod.contributions[GRAFANA_VALUES_SLOT]).to.have.length(1);
    const dev = stackModel(parseStackConfig(stackRawConfig("dev")));
    expect(dev.contributions[GRAFANA_VALUES_SLOT]).to.equal(undefined);
  });
});

describe("oauth2-proxy in front of the UIs without a login of their own", () => {
  it("prod: one release in monitoring, its settings in the config file, the secrets from the Secret", async () => {
    const r = await run(stackInput("prod"));
    const proxy = release(r.resources, "oauth2-proxy");
    expect(proxy.inputs["namespace"]).to.equal("monitoring");
    expect(valueOf(proxy, "config.existingSecret")).to.equal("observability-sign-on");
    expect(valueOf(proxy, "config.requiredSecretKeys")).to.deep.equal(["client-secret", "cookie-secret"]);
    expect(valueOf(proxy, "config.configFile")).to.equal(
      [
        'provider = "oidc"',
        'provider_display_name = "Single sign-on"',
        'oidc_issuer_url = "https://login.example.com"',
        'client_id = "observability"',
        'scope = "openid email profile groups"',
        'oidc_groups_claim = "groups"',
        // signOn.allowedGroups unset: every group Grafana grants a role.
        'allowed_groups = ["platform-admins", "platform-engineers", "developers"]',
        'email_domains = ["*"]',
        'code_challenge_method = "S256"',
        'upstreams = ["static://200"]',
        "reverse_proxy = true",
        "skip_provider_button = true",
        "set_xauthrequest = true",
        "cookie_secure = true",
        "cookie_httponly = true",
        'cookie_samesite = "lax"',
        "",
      ].join("\n"),
    );
    expect(valueOf(proxy, "replicaCount")).to.equal(2);
    // Two replicas keep the chart's budget of minAvailable 1.
    expect(valueOf(proxy, "podDisruptionBudget")).to.equal(undefined);
    expect(valueOf(proxy, "resources")).to.deep.equal({
      requests: { cpu: "20m", memory: "32Mi" },
      limits: { memory: "128Mi" },
    });
  });

  it("is the mesh's external authorizer and guards the three hosts with a CUSTOM policy on the gateway", async () => {
    const r = await run(stackInput("prod"));
    const providers = valueOf(release(r.resources, "istiod"), "meshConfig.extensionProviders") as unknown[];
    expect(providers).to.deep.include({
      name: "sign-on-oauth2-proxy",
      envoyExtAuthzHttp: {
        service: "oauth2-proxy.monitoring.svc.cluster.local",
        port: 80,
        includeRequestHeadersInCheck: ["cookie", "authorization"],
        headersToUpstreamOnAllow: ["x-auth-request-user", "x-auth-request-email", "x-auth-request-groups"],
        headersToDownstreamOnAllow: ["set-cookie"],
        headersToDownstreamOnDeny: ["content-type", "location", "set-cookie"],
      },
    });
    const policy = find(
      r.resources,
      "kubernetes:security.istio.io/v1:AuthorizationPolicy",
      "authorizationpolicy-istio-ingress-sign-on",
    );
    const hosts = ["prometheus", "alertmanager", "jaeger"].flatMap((ui) => [
      `${ui}.observability.example.com`,
      `${ui}.observability.example.com:*`,
    ]);
    expect(policy.inputs["spec"]).to.deep.equal({
      selector: { matchLabels: { istio: "ingressgateway" } },
      action: "CUSTOM",
      provider: { name: "sign-on-oauth2-proxy" },
      rules: [{ to: [{ operation: { hosts, notPaths: ["/.well-known/acme-challenge/*"] } }] }],
    });
    expect(policy.dependsOn).to.include("oauth2-proxy");
  });

  it("opens the gateway to oauth2-proxy and, behind it, the three UIs, in the flow table", () => {
    const model = stackModel(parseStackConfig(stackRawConfig("prod")));
    const toProxy = model.flows.filter((f) => f.to.name === "oauth2-proxy");
    expect(
      toProxy.map((f) => ["pods" in f.from ? f.from.pods.name : f.from, f.to.namespace, f.ports]),
    ).to.deep.equal([["istio-gateway", "monitoring", [{ port: 4180 }]]]);
    const fromGateway = model.flows.filter(
      (f) => "pods" in f.from && f.from.pods.name === "istio-gateway" && /the front door/.test(f.why),
    );
    expect(fromGateway.map((f) => f.why)).to.deep.equal([
      "the ingress gateway serves grafana.observability.example.com (the front door)",
      "the ingress gateway serves prometheus.observability.example.com (the front door)",
      "the ingress gateway serves alertmanager.observability.example.com (the front door)",
      "the ingress gateway serves jaeger.observability.example.com (the front door)",
    ]);
  });

  it("turns the chart's disruption budget off for a single replica, which it would pin", () => {
    const values = oauth2ProxyValues({
      settings: {},
      secretName: "sign-on",
      replicas: 1,
      resources: { cpu: "5m", memory: "16Mi", memoryLimit: "64Mi" },
    });
    expect(values["podDisruptionBudget"]).to.deep.equal({ enabled: false });
    expect(values["replicaCount"]).to.equal(1);
  });

  it("runs nowhere on dev, which adds nothing to its budget", async () => {
    const r = await run(stackInput("dev"));
    expect(r.resources.filter((x) => /oauth2-proxy|sign-on/.test(x.name))).to.deep.equal([]);
  });
});

describe("the mesh config's external providers", () => {
  it("come from the parts' contributions after the mesh's own, each under a name of its own", () => {
    expect(
      contributedProviders([[{ name: "a" }], [{ name: "b" }, { name: "c" }]]).map((p) => p["name"]),
    ).to.deep.equal(["a", "b", "c"]);
    expect(() => contributedProviders([[{ name: "a" }], [{ name: "a" }]])).to.throw(
      "without a name of its own",
    );
    expect(() => contributedProviders([[{ name: "otel-tracing" }]])).to.throw("without a name of its own");
    expect(() => contributedProviders([{ name: "a" }])).to.throw("is not a list");
  });
});
