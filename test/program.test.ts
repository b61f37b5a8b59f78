import { expect } from "chai";
import { ProgramRun } from "../tools/lib/run-program";
import { find, HELM_RELEASE, release, releases, run, stackInput, valueOf, programError } from "./lib/helpers";
import { SECRET_KEYS } from "../components/core";
import { CHARTS } from "../components/core";

describe("the program under mocks", () => {
  let dev: ProgramRun;
  let prod: ProgramRun;

  before(async () => {
    dev = await run(stackInput("dev"));
    prod = await run(stackInput("prod"));
  });

  it("installs the releases of each stack, with explicit names, namespaces and pinned charts", () => {
    const base = [
      // Istio first: Prometheus's and Grafana's pods need its injector.
      ["istio-base", "istio-base", "istio-system", "base", CHARTS.istioBase.version, CHARTS.istioBase.repo],
      ["istiod", "istiod", "istio-system", "istiod", CHARTS.istiod.version, CHARTS.istiod.repo],
      [
        "istio-ingressgateway",
        "istio-ingressgateway",
        "istio-ingress",
        "gateway",
        CHARTS.istioGateway.version,
        CHARTS.istioGateway.repo,
      ],
      // The front door's cert-manager, right after Istio (its routes need the Istio CRDs).
      [
        "cert-manager",
        "cert-manager",
        "cert-manager",
        "cert-manager",
        CHARTS.certManager.version,
        CHARTS.certManager.repo,
      ],
      [
        "prometheus-operator-crds",
        "prometheus-operator-crds",
        "monitoring",
        "prometheus-operator-crds",
        CHARTS.prometheusOperatorCrds.version,
        CHARTS.prometheusOperatorCrds.repo,
      ],
      [
        "kube-prometheus-stack",
        "kube-prometheus-stack",
        "monitoring",
        "kube-prometheus-stack",
        CHARTS.kubePrometheusStack.version,
        CHARTS.kubePrometheusStack.repo,
      ],
      [
        "metrics-server",
        "metrics-server",
        "kube-system",
        "metrics-server",
        CHARTS.metricsServer.version,
        CHARTS.metricsServer.repo,
      ],
      ["loki", "loki", "logging", "loki", CHARTS.loki.version, CHARTS.loki.repo],
      ["alloy", "alloy", "logging", "alloy", CHARTS.alloy.version, CHARTS.alloy.repo],
      ["jaeger", "jaeger", "tracing", "jaeger", CHARTS.jaeger.version, CHARTS.jaeger.repo],
    ];
    // The collector gateway is off in dev and on in prod.
    const gateway = [
      "otel-gateway",
      "otel-gateway",
      "tracing",
      "opentelemetry-collector",
      "0.170.0",
      CHARTS.opentelemetryCollector.repo,
    ];
    // Elasticsearch is on in prod only: the eck-operator release comes before Jaeger, which writes to it.
    const eck = [
      "eck-operator",
      "eck-operator",
      "elastic-system",
      "eck-operator",
      CHARTS.eckOperator.version,
      CHARTS.eckOperator.repo,
    ];
    // prod signs on: oauth2-proxy, declared with sign-on right after the front door.
    const oauth2Proxy = [
      "oauth2-proxy",
      "oauth2-proxy",
      "monitoring",
      "oauth2-proxy",
      CHARTS.oauth2Proxy.version,
      CHARTS.oauth2Proxy.repo,
    ];
    const prodBase = [...base.slice(0, 4), oauth2Proxy, ...base.slice(4)];
    for (const [r, expected] of [
      [dev, base],
      [prod, [...prodBase.slice(0, -1), eck, ...prodBase.slice(-1), gateway]],
    ] as const) {
      const summary = releases(r.resources).map((rel) => [
        rel.name,
        rel.inputs["name"],
        rel.inputs["namespace"],
        rel.inputs["chart"],
        rel.inputs["version"],
        (rel.inputs["repositoryOpts"] as { repo: string }).repo,
      ]);
      expect(summary).to.deep.equal(expected);
    }
  });

  it("installs the CRDs release before kube-prometheus-stack, whose own CRDs are off", () => {
    for (const r of [dev, prod]) {
      const kps = release(r.resources, "kube-prometheus-stack");
      expect(kps.dependsOn).to.include("prometheus-operator-crds");
      expect(kps.dependsOn).to.include("ns-monitoring");
      expect(valueOf(kps, "crds.enabled")).to.equal(false);
      expect(release(r.resources, "prometheus-operator-crds").dependsOn).to.deep.equal(["ns-monitoring"]);
    }
  });

  it("parents every resource to its component, and the components to the top stack", () => {
    const parents = Object.fromEntries(dev.resources.map((r) => [r.name, r.parent ?? null]));
    expect(parents).to.deep.equal({
      kubernetes: null,
      observability: null,
      "observability-namespaces": "observability",
      "ns-monitoring": "observability-namespaces",
      "observability-prometheus": "observability",
      "prometheus-operator-crds": "observability-prometheus",
      "observability-prometheus-grafana-admin-password": "observability-prometheus",
      "observability-prometheus-grafana-admin": "observability-prometheus",
      "kube-prometheus-stack": "observability-prometheus",
      "observability-grafana": "observability",
      "grafana-datasources": "observability-grafana",
      "grafana-dashboard-service-overview": "observability-grafana",
      "grafana-dashboard-stack-health": "observability-grafana",
      "observability-alerting": "observability",
      "observability-service-alerts": "observability-alerting",
      "observability-workload-alerts": "observability-alerting",
      "observability-stack-alerts": "observability-alerting",
      "observability-routing": "observability-alerting",
      "ns-istio-system": "observability-namespaces",
      "ns-istio-ingress": "observability-namespaces",
      "observability-mesh": "observability",
      "istio-base": "observability-mesh",
      istiod: "observability-mesh",
      "istio-ingressgateway": "observability-mesh",
      "observability-mesh-policies": "observability",
      "peerauthentication-istio-system-default": "observability-mesh-policies",
      "telemetry-istio-system-mesh-default": "observability-mesh-policies",
      "ns-cert-manager": "observability-namespaces",
      // The front door: cert-manager, the issuers, the certificate and the gateway's routes.
      "observability-front-door": "observability",
      "cert-manager": "observability-front-door",
      "certificate-cert-manager-observability-ca": "observability-front-door",
      "certificate-istio-ingress-front-door": "observability-front-door",
      "clusterissuer-observability": "observability-front-door",
      "clusterissuer-observability-selfsigned": "observability-front-door",
      "gateway-istio-ingress-front-door": "observability-front-door",
      "virtualservice-istio-ingress-front-door-https-redirect": "observability-front-door",
      "virtualservice-istio-ingress-front-door-grafana": "observability-front-door",
      "virtualservice-istio-ingress-front-door-prometheus": "observability-front-door",
      "virtualservice-istio-ingress-front-door-alertmanager": "observability-front-door",
      "virtualservice-istio-ingress-front-door-jaeger": "observability-front-door",
      "observability-mesh-monitors": "observability",
      "servicemonitor-istio-system-istiod": "observability-mesh-monitors",
      "podmonitor-istio-system-envoy-stats": "observability-mesh-monitors",
      "observability-metrics-server": "observability",
      "metrics-server": "observability-metrics-server",
      "ns-logging": "observability-namespaces",
      "observability-loki": "observability",
      loki: "observability-loki",
      "observability-loki-servicemonitor": "observability-loki",
      "grafana-dashboard-logs": "observability-grafana",
      "observability-alloy": "observability",
      alloy: "observability-alloy",
      "observability-alloy-servicemonitor": "observability-alloy",
      "ns-tracing": "observability-namespaces",
      "observability-tracing": "observability",
      "observability-tracing-jaeger": "observability-tracing",
      jaeger: "observability-tracing-jaeger",
      "observability-tracing-jaeger-servicemonitor": "observability-tracing-jaeger",
      "observability-tracing-otlp": "observability-tracing",
      "observability-network-policies": "observability",
      "observability-network-policies-cert-manager-allow-cert-manager-webhook":
        "observability-network-policies",
      "observability-network-policies-cert-manager-default-deny-ingress": "observability-network-policies",
      "observability-network-policies-istio-ingress-allow-istio-gateway": "observability-network-policies",
      "observability-network-policies-istio-ingress-default-deny-ingress": "observability-network-policies",
      "observability-network-policies-istio-system-allow-istiod": "observability-network-policies",
      "observability-network-policies-istio-system-default-deny-ingress": "observability-network-policies",
      "observability-network-policies-logging-allow-alloy": "observability-network-policies",
      "observability-network-policies-logging-allow-loki": "observability-network-policies",
      "observability-network-policies-logging-allow-loki-gateway": "observability-network-policies",
      "observability-network-policies-logging-default-deny-ingress": "observability-network-policies",
      "observability-network-policies-monitoring-allow-alertmanager": "observability-network-policies",
      "observability-network-policies-monitoring-allow-grafana": "observability-network-policies",
      "observability-network-policies-monitoring-allow-kube-state-metrics": "observability-network-policies",
      "observability-network-policies-monitoring-allow-prometheus": "observability-network-policies",
      "observability-network-policies-monitoring-allow-prometheus-operator": "observability-network-policies",
      "observability-network-policies-monitoring-default-deny-ingress": "observability-network-policies",
      "observability-network-policies-tracing-allow-jaeger": "observability-network-policies",
      "observability-network-policies-tracing-default-deny-ingress": "observability-network-policies",
      "grafana-dashboard-community-kubernetes-cluster": "observability-grafana",
      "grafana-dashboard-community-mysql": "observability-grafana",
      "grafana-dashboard-community-node-exporter-full": "observability-grafana",
      "grafana-dashboard-community-postgres": "observability-grafana",
      "observability-signals": "observability",
      "grafana-dashboard-signals-error-budgets": "observability-signals",
      "grafana-dashboard-signals-shop-shop-overview": "observability-signals",
      "signals-slo-shop-availability": "observability-signals",
      "signals-slo-shop-latency": "observability-signals",
      "signals-dashboards-shop-shop": "observability-signals",
      "signals-shop-shop": "observability-signals",
    });
  });

  it("sends every Kubernetes object through the one explicit provider, on the configured context", () => {
    const provider = find(dev.resources, "pulumi:providers:kubernetes", "kubernetes");
    expect(provider.inputs["context"]).to.equal("kind-observability");
    const k8sObjects = dev.resources.filter((r) => r.type.startsWith("kubernetes:"));
    expect(k8sObjects).to.have.length.greaterThan(4);
    for (const r of k8sObjects) expect(r.provider, r.name).to.equal("kubernetes");
  });

  it("declares every object and reads none back: a read is a step in every preview and a change on refresh", () => {
    for (const run of [dev, prod]) {
      expect(run.resources.filter((r) => r.read === true).map((r) => r.name)).to.deep.equal([]);
    }
  });

  it("labels the namespace for Pod Security and for the later parts' selectors", () => {
    const ns = find(dev.resources, "kubernetes:core/v1:Namespace", "ns-monitoring");
    expect(ns.inputs["metadata"]).to.deep.equal({
      name: "monitoring",
      labels: {
        "app.kubernetes.io/part-of": "observability-stack",
        "app.kubernetes.io/managed-by": "pulumi",
        "observability-stack/domain": "monitoring",
        "pod-security.kubernetes.io/enforce": "privileged",
        "pod-security.kubernetes.io/warn": "privileged",
      },
    });
  });

  it("lets Prometheus select monitors and rules from every namespace", () => {
    const kps = release(dev.resources, "kube-prometheus-stack");
    for (const kind of ["serviceMonitor", "podMonitor", "rule", "probe", "scrapeConfig"]) {
      expect(valueOf(kps, `prometheus.prometheusSpec.${kind}SelectorNilUsesHelmValues`), kind).to.equal(
        false,
      );
    }
  });

  it("differs between dev and prod exactly where the stacks differ", () => {
    const d = release(dev.resources, "kube-prometheus-stack");
    const p = release(prod.resources, "kube-prometheus-stack");
    expect(valueOf(d, "prometheus.prometheusSpec.replicas")).to.equal(1);
    expect(valueOf(p, "prometheus.prometheusSpec.replicas")).to.equal(2);
    expect(valueOf(d, "prometheus.prometheusSpec.retention")).to.equal("10d");
    expect(valueOf(p, "prometheus.prometheusSpec.retention")).to.equal("30d");
    expect(valueOf(d, "prometheus.prometheusSpec.storageSpec")).to.equal(undefined);
    expect(
      valueOf(p, "prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage"),
    ).to.equal("100Gi");
    expect(valueOf(p, "prometheus.podDisruptionBudget.enabled")).to.equal(true);
    expect(valueOf(d, "prometheus.podDisruptionBudget.enabled")).to.equal(false);
    expect(valueOf(p, "alertmanager.alertmanagerSpec.replicas")).to.equal(2);
    expect(valueOf(p, "grafana.persistence")).to.deep.equal({ enabled: true, size: "10Gi" });
    expect(valueOf(d, "prometheus.prometheusSpec.resources.requests.memory")).to.equal("400Mi");
    expect(valueOf(p, "prometheus.prometheusSpec.resources.requests.memory")).to.equal("4Gi");
    // kubeadm binds etcd, the scheduler and the controller manager to localhost; managed planes hide them.
    expect(valueOf(d, "kubeEtcd.enabled")).to.equal(false);
    expect(valueOf(p, "kubeEtcd.enabled")).to.equal(false);
    expect(valueOf(d, "kubeProxy.enabled")).to.equal(true);
    expect(valueOf(p, "kubeProxy.enabled")).to.equal(false);
    const dms = release(dev.resources, "metrics-server");
    const pms = release(prod.resources, "metrics-server");
    expect(valueOf(dms, "args")).to.deep.equal(["--kubelet-insecure-tls"]);
    expect(valueOf(pms, "args")).to.deep.equal([]);
    expect(valueOf(pms, "replicas")).to.equal(2);
  });

  it("points every release at the mirror when one is set", async () => {
    const oci = await run(stackInput("dev", { charts: { mirror: "oci://registry.internal/charts/" } }));
    for (const r of releases(oci.resources)) {
      expect(r.inputs["chart"]).to.match(/^oci:\/\/registry\.internal\/charts\/[a-z-]+$/);
      expect(r.inputs["repositoryOpts"]).to.equal(undefined);
    }
    const repo = await run(stackInput("dev", { charts: { mirror: "https://charts.internal/helm" } }));
    for (const r of releases(repo.resources)) {
      expect(r.inputs["repositoryOpts"]).to.deep.equal({ repo: "https://charts.internal/helm" });
    }
  });

  it("declares only what is switched on", async () => {
    const bare = await run(
      stackInput("dev", {
        prometheus: { enabled: false },
        grafana: { enabled: false },
        metricsServer: { enabled: false },
        loki: { enabled: false },
        tracing: { enabled: false },
        mesh: { enabled: false },
      }),
    );
    expect(releases(bare.resources)).to.deep.equal([]);
    expect(bare.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace")).to.deep.equal([]);
    expect(bare.outputs["grafana"]).to.equal(null);
    expect(bare.outputs["loki"]).to.equal(null);
    expect(bare.outputs["logCollector"]).to.equal(null);
    expect(bare.outputs["tracing"]).to.equal(null);
  });

  it("exports where things are and the admin Secret's name, never the password", () => {
    expect(dev.outputs["namespaces"]).to.deep.equal([
      "monitoring",
      "logging",
      "tracing",
      "istio-system",
      "istio-ingress",
      "cert-manager",
    ]);
    expect(dev.outputs["grafana"]).to.deep.equal({
      namespace: "monitoring",
      service: "kube-prometheus-stack-grafana",
      portForward: "kubectl -n monitoring port-forward svc/kube-prometheus-stack-grafana 3000:80",
      url: "http://localhost:3000",
      adminSecret: { name: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" },
      datasources: ["prometheus", "alertmanager", "loki", "jaeger"],
      dashboards: [
        {
          title: "Service overview",
          folder: "Observability",
          url: "http://localhost:3000/d/observability-service-overview",
        },
        {
          title: "Observability stack health",
          folder: "Observability",
          url: "http://localhost:3000/d/observability-stack-health",
        },
        { title: "Logs", folder: "Observability", url: "http://localhost:3000/d/observability-logs" },
      ],
    });
    expect(dev.outputs["grafanaAdminPasswordCommand"]).to.equal(
      "kubectl -n monitoring get secret grafana-admin -o jsonpath='{.data.admin-password}' | base64 -d",
    );
  });
});

describe("the Grafana admin password", () => {
  const password = "Corr3ct-Horse-Battery-Staple";

  it("comes from secret config into a Kubernetes Secret only, and appears nowhere in plain text", async () => {
    const r = await run(stackInput("dev", {}, { grafanaAdminPassword: password }));
    expect(r.resources.filter((x) => x.type === "random:index/randomPassword:RandomPassword")).to.deep.equal(
      [],
    );
    const secret = find(r.resources, "kubernetes:core/v1:Secret", "observability-prometheus-grafana-admin");
    expect(secret.inputs["stringData"]).to.equal("[secret]");
    const kps = release(r.resources, "kube-prometheus-stack");
    expect(valueOf(kps, "grafana.admin")).to.deep.equal({
      existingSecret: "grafana-admin",
      userKey: "admin-user",
      passwordKey: "admin-password",
    });
    expect(valueOf(kps, "grafana.adminPassword")).to.equal(undefined);
    expect(JSON.stringify(r)).not.to.include(password);
  });

  it("is generated when not configured, and stays secret", async () => {
    const r = await run(stackInput("dev"));
    const generated = find(
      r.resources,
      "random:index/randomPassword:RandomPassword",
      "observability-prometheus-grafana-admin-password",
    );
    expect(generated.inputs).to.deep.equal({ length: 32, special: false });
    expect(
      find(r.resources, "kubernetes:core/v1:Secret", "observability-prometheus-grafana-admin").inputs[
        "stringData"
      ],
    ).to.equal("[secret]");
    // The mock's generated value must not leak either.
    expect(JSON.stringify(r)).not.to.include("mock-password-for");
  });

  it("is unset when empty, Pulumi.yaml's default for every secret key", async () => {
    const r = await run(stackInput("dev", {}, { grafanaAdminPassword: "" }));
    expect(r.resources.filter((x) => x.type === "random:index/randomPassword:RandomPassword")).to.have.length(
      1,
    );
  });

  it("is refused when the stack file holds it in plain text", async () => {
    const input = stackInput("dev", { grafanaAdminPassword: password });
    const message = await programError(input);
    expect(message).to.equal(
      "Invalid stack config: grafanaAdminPassword: is plain text in the stack file, but it holds a secret; set it again with `pulumi config set --secret grafanaAdminPassword <value>`, so that it is encrypted",
    );
    expect(message).to.not.include(password);
  });

  it("is refused on a plain key, where it would reach Helm values", async () => {
    const input = stackInput("dev", { grafana: { adminUser: "admin" } });
    input.secretKeys = [...input.secretKeys, "observability:grafana"];
    const message = await programError(input);
    expect(message).to.equal(
      `Invalid stack config: grafana: holds a secret value, but it is plain config that reaches Helm values; keep secrets in their own keys (${SECRET_KEYS.join(", ")}) with \`pulumi config set --secret <key> <value>\``,
    );
  });
});

describe("every release", () => {
  it("is atomic, cleans up on failure and keeps a bounded history", async () => {
    const r = await run(stackInput("prod"));
    for (const rel of r.resources.filter((x) => x.type === HELM_RELEASE)) {
      expect(rel.inputs).to.include({
        atomic: true,
        cleanupOnFail: true,
        createNamespace: false,
        maxHistory: 10,
        timeout: 900,
      });
    }
  });
});
