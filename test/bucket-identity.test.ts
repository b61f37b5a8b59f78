import { expect } from "chai";
import { parse } from "yaml";
import { parseStackConfig } from "../components/core";
import { lokiValues } from "../components/logging";
import {
  prometheusStackValues,
  prometheusStackValuesArgs,
  thanosObjstoreConfig,
  thanosValues,
} from "../components/monitoring";
import { CLOUDS, Cloud, EXPECTED_ANNOTATIONS, withCloud } from "./lib/bucket-identity";
import { errorFor } from "./lib/config-error";
import { find, run, stackInput, stackRawConfig } from "./lib/helpers";

const STACKS = ["dev", "prod", "large"] as const;
const LOKI_TARGETS = [
  "singleBinary",
  "write",
  "read",
  "backend",
  "distributor",
  "ingester",
  "querier",
  "queryFrontend",
  "queryScheduler",
  "indexGateway",
  "compactor",
];
const SECRET = "kubernetes:core/v1:Secret";

type Values = Record<string, Record<string, unknown> | undefined>;

/** Every Loki target that runs, with its values. */
function runningTargets(values: Values): [string, Record<string, unknown>][] {
  return LOKI_TARGETS.map((k) => [k, values[k] ?? {}] as [string, Record<string, unknown>]).filter(
    ([, v]) => typeof v["replicas"] === "number" && v["replicas"] > 0,
  );
}

describe("bucket identity: values per stack and per cloud", () => {
  for (const stack of STACKS) {
    for (const cloud of Object.keys(CLOUDS) as Cloud[]) {
      it(`${stack} on ${cloud}: Loki's ServiceAccount, storage and targets, no key anywhere`, () => {
        const cfg = parseStackConfig({ ...stackRawConfig(stack), ...withCloud(stack, cloud) });
        const v = lokiValues({ loki: cfg.loki, cluster: cfg.cluster, resources: cfg.resources }) as Values;
        const annotations = EXPECTED_ANNOTATIONS[cloud].loki;
        expect(v["serviceAccount"]).to.deep.equal(
          Object.keys(annotations).length > 0 ? { annotations } : undefined,
        );
        const storage = (v["loki"] as { storage: Record<string, unknown> }).storage;
        const store = {
          eksIrsa: "s3",
          eksPodIdentity: "s3",
          gkeWorkloadIdentity: "gcs",
          aksWorkloadIdentity: "azure",
        }[cloud];
        expect(storage["type"]).to.equal(store);
        expect(JSON.stringify(storage)).to.not.match(/accessKeyId|secretAccessKey|accountKey|LOKI_S3/);
        if (cloud === "aksWorkloadIdentity") {
          expect(storage["azure"]).to.deep.equal({
            accountName: "observabilitylogs",
            useFederatedToken: true,
          });
        }
        const targets = runningTargets(v);
        expect(targets.length, "running targets").to.be.greaterThan(0);
        for (const [name, t] of targets) {
          expect(t["extraEnv"], `${name} env`).to.equal(undefined);
          expect(t["extraArgs"], `${name} args`).to.equal(undefined);
          expect(t["podLabels"], `${name} labels`).to.deep.equal(
            cloud === "aksWorkloadIdentity" ? { "azure.workload.identity/use": "true" } : undefined,
          );
        }
      });
    }
  }

  for (const cloud of Object.keys(CLOUDS) as Cloud[]) {
    it(`large on ${cloud}: Thanos' objstore without a key, its ServiceAccounts and Prometheus's`, () => {
      const cfg = parseStackConfig({ ...stackRawConfig("large"), ...withCloud("large", cloud) });
      const os = cfg.thanos.objectStorage;
      if (os === undefined) throw new Error("large runs Thanos");
      const objstore = parse(thanosObjstoreConfig(os)) as { type: string; config: Record<string, unknown> };
      const expected = {
        eksIrsa: { type: "S3", bucket: "observability-metrics" },
        eksPodIdentity: { type: "S3", bucket: "observability-metrics" },
        gkeWorkloadIdentity: { type: "GCS", config: { bucket: "observability-metrics" } },
        aksWorkloadIdentity: {
          type: "AZURE",
          config: { storage_account: "observabilitymetrics", container: "thanos-blocks" },
        },
      }[cloud];
      expect(objstore.type).to.equal(expected.type);
      if ("config" in expected) expect(objstore.config).to.deep.equal(expected.config);
      else expect(objstore.config["bucket"]).to.equal(expected.bucket);
      expect(Object.keys(objstore.config)).to.not.include.members([
        "access_key",
        "secret_key",
        "storage_account_key",
      ]);

      const annotations = EXPECTED_ANNOTATIONS[cloud].thanos;
      const labels = cloud === "aksWorkloadIdentity" ? { "azure.workload.identity/use": "true" } : undefined;
      const t = thanosValues({
        thanos: cfg.thanos,
        cluster: cfg.cluster,
        resources: cfg.resources,
        namespace: "monitoring",
      }) as Values;
      for (const c of ["storegateway", "compactor"]) {
        const component = t[c] ?? {};
        expect(component["extraEnv"], `${c} env`).to.equal(undefined);
        expect(component["serviceAccount"], `${c} ServiceAccount`).to.deep.equal({
          create: true,
          ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
        });
        expect(component["podLabels"], `${c} labels`).to.deep.equal(labels);
      }
      expect((t["query"] ?? {})["serviceAccount"], "query reads no bucket").to.equal(undefined);

      const p = prometheusStackValues(prometheusStackValuesArgs(cfg, "grafana-admin")) as {
        prometheus: { serviceAccount?: unknown; prometheusSpec: Record<string, unknown> };
      };
      expect(p.prometheus.serviceAccount).to.deep.equal(
        Object.keys(annotations).length > 0 ? { annotations } : undefined,
      );
      expect(p.prometheus.prometheusSpec["containers"], "sidecar env").to.equal(undefined);
      const podLabels = (
        p.prometheus.prometheusSpec["podMetadata"] as { labels?: Record<string, string> } | undefined
      )?.labels;
      if (labels !== undefined) expect(podLabels).to.include(labels);
      else expect(podLabels?.["azure.workload.identity/use"]).to.equal(undefined);
    });
  }

  it("large on AKS declares no credentials Secret, and no release reads a key", async function () {
    this.timeout(60000);
    const r = await run(stackInput("large", withCloud("large", "aksWorkloadIdentity")));
    const secrets = r.resources.filter((x) => x.type === SECRET).map((x) => x.name);
    expect(secrets.filter((n) => /s3-credentials/.test(n))).to.deep.equal([]);
    // The objstore Secret is still there (its content, secret in the plan, is checked above).
    find(r.resources, SECRET, "observability-prometheus-thanos-objstore");
    const releases = JSON.stringify(
      r.resources.filter((x) => x.type === "kubernetes:helm.sh/v3:Release").map((x) => x.inputs),
    );
    expect(releases).to.not.match(/AWS_ACCESS_KEY_ID|LOKI_S3_ACCESS_KEY_ID|secretKeyRef[^}]*s3-credentials/);
  });
});

const cloudBase = {
  cluster: { type: "cloud", context: "prod" },
  sizing: "production",
  tracing: { storage: "badger" },
};
const loki = (objectStorage: Record<string, unknown>) => ({
  ...cloudBase,
  loki: { mode: "SimpleScalable", objectStorage },
});
const thanos = (objectStorage: Record<string, unknown>) => ({
  ...cloudBase,
  thanos: { enabled: true, objectStorage },
});
const s3 = { region: "eu-west-1", buckets: { chunks: "loki-chunks" } };

describe("bucket identity: errors name the key path, what is wrong and what to set", () => {
  const cases: [string, Record<string, unknown>, string[], string][] = [
    [
      "a role ARN that is no IAM role ARN",
      loki({ ...s3, identity: { kind: "eksIrsa", roleArn: "arn:aws:iam::1234:role/loki" } }),
      [],
      'Invalid stack config: loki.objectStorage.identity.roleArn: must be an IAM role ARN, arn:aws:iam::<12-digit account id>:role/<name>, got "arn:aws:iam::1234:role/loki"; set e.g. `pulumi config set --path loki.objectStorage.identity.roleArn arn:aws:iam::123456789012:role/observability-loki`',
    ],
    [
      "IRSA without a role ARN",
      loki({ ...s3, identity: { kind: "eksIrsa" } }),
      [],
      "Invalid stack config: loki.objectStorage.identity.roleArn: is required with loki.objectStorage.identity.kind eksIrsa, and is not set; set it, e.g. `pulumi config set --path loki.objectStorage.identity.roleArn arn:aws:iam::123456789012:role/observability-loki`",
    ],
    [
      "a Google service account that is not an iam.gserviceaccount.com email",
      thanos({
        type: "gcs",
        bucket: "metrics",
        identity: { gcpServiceAccount: "thanos@my-project.example.com" },
      }),
      [],
      'Invalid stack config: thanos.objectStorage.identity.gcpServiceAccount: must be a Google service account email, <name>@<project>.iam.gserviceaccount.com, got "thanos@my-project.example.com"; set e.g. `pulumi config set --path thanos.objectStorage.identity.gcpServiceAccount loki@my-project.iam.gserviceaccount.com`',
    ],
    [
      "a client id that is not a GUID",
      loki({
        type: "azure",
        accountName: "logs",
        buckets: { chunks: "loki-chunks" },
        identity: { clientId: "loki" },
      }),
      [],
      'Invalid stack config: loki.objectStorage.identity.clientId: must be a managed identity\'s client id, a GUID (8-4-4-4-12 hexadecimal digits), got "loki"; set e.g. `pulumi config set --path loki.objectStorage.identity.clientId 00000000-0000-0000-0000-000000000000`',
    ],
    [
      "gcs without a bucket",
      loki({ type: "gcs", identity: { gcpServiceAccount: "loki-logs@my-project.iam.gserviceaccount.com" } }),
      [],
      "Invalid stack config: loki.objectStorage.buckets.chunks: is required but not set; set it, e.g. `pulumi config set --path loki.objectStorage.buckets.chunks loki-chunks`",
    ],
    [
      "azure without an account",
      thanos({
        type: "azure",
        bucket: "thanos-blocks",
        identity: { clientId: "66666666-7777-8888-9999-000000000000" },
      }),
      [],
      "Invalid stack config: thanos.objectStorage.accountName: is required but not set; set it, e.g. `pulumi config set --path thanos.objectStorage.accountName observabilitylogs`",
    ],
    [
      "an identity the store cannot use",
      loki({ type: "gcs", buckets: { chunks: "loki-chunks" }, identity: { kind: "eksPodIdentity" } }),
      [],
      "Invalid stack config: loki.objectStorage.identity.kind: is eksPodIdentity, but loki.objectStorage.type is gcs, whose pods can use only gkeWorkloadIdentity; set `pulumi config set --path loki.objectStorage.identity.kind gkeWorkloadIdentity`, or the store type that goes with eksPodIdentity",
    ],
    [
      "a field of another identity",
      loki({ ...s3, identity: { kind: "eksPodIdentity", roleArn: "arn:aws:iam::123456789012:role/loki" } }),
      [],
      "Invalid stack config: loki.objectStorage.identity.roleArn: is set, but loki.objectStorage.identity.kind is eksPodIdentity, which does not use it (only eksIrsa does); remove it with `pulumi config rm --path loki.objectStorage.identity.roleArn`, or set `pulumi config set --path loki.objectStorage.identity.kind eksIrsa`",
    ],
    [
      "an existing Secret beside IRSA",
      loki({
        ...s3,
        existingSecret: "loki-object-storage",
        identity: { kind: "eksIrsa", roleArn: "arn:aws:iam::123456789012:role/loki" },
      }),
      [],
      "Invalid stack config: loki.objectStorage.identity.kind: is eksIrsa, a cloud identity, but loki.objectStorage.existingSecret is set too: the pods use the identity and take no key; remove it (`pulumi config rm --path loki.objectStorage.existingSecret`), or set `pulumi config set --path loki.objectStorage.identity.kind staticKeys` to keep the keys",
    ],
    [
      "secret keys beside GKE Workload Identity",
      thanos({
        type: "gcs",
        bucket: "metrics",
        identity: { gcpServiceAccount: "thanos-metrics@my-project.iam.gserviceaccount.com" },
      }),
      ["thanosS3AccessKeyId", "thanosS3SecretAccessKey"],
      "Invalid stack config: thanos.objectStorage.identity.kind: is gkeWorkloadIdentity, a cloud identity, but thanosS3AccessKeyId and thanosS3SecretAccessKey are set too: the pods use the identity and take no key; remove them (`pulumi config rm thanosS3AccessKeyId`, `pulumi config rm thanosS3SecretAccessKey`), or set `pulumi config set --path thanos.objectStorage.identity.kind staticKeys` to keep the keys",
    ],
    [
      "an S3 field with a GCS bucket",
      loki({
        type: "gcs",
        region: "eu-west-1",
        buckets: { chunks: "loki-chunks" },
        identity: { gcpServiceAccount: "loki-logs@my-project.iam.gserviceaccount.com" },
      }),
      [],
      "Invalid stack config: loki.objectStorage.region: is set, but loki.objectStorage.type is gcs, which does not use it; remove it with `pulumi config rm --path loki.objectStorage.region`, or set the type that uses it",
    ],
    [
      "an unknown identity",
      loki({ ...s3, identity: { kind: "irsa" } }),
      [],
      'Invalid stack config: loki.objectStorage.identity.kind: must be one of staticKeys, eksIrsa, eksPodIdentity, gkeWorkloadIdentity, aksWorkloadIdentity, got "irsa"; set one of them, e.g. `pulumi config set --path loki.objectStorage.identity.kind staticKeys`',
    ],
  ];
  for (const [what, raw, secretKeys, message] of cases) {
    it(`for ${what}`, () => {
      expect(errorFor(raw, secretKeys)).to.equal(message);
    });
  }
});
