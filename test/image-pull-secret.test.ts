/**
 * The secret key imagePullSecret: a Docker config JSON, checked before anything is declared, from
 * which the program creates the pull Secret `observability-image-pull` in every namespace its pods
 * run in, right after the namespace and before every workload there, and gives it to every pod.
 * The credentials stay secret all the way (docs/air-gapped.md#images).
 */
import { expect } from "chai";
import { parseStackConfig, SECRET_KEYS } from "../components/core";
import { dockerConfigProblems, formatProblem, STACK_PULL_SECRET } from "../components/kit";
import { chartOf } from "../tools/lib/images";
import { renderJson, renderText } from "../tools/lib/plan";
import { DeclaredResource, runProgram } from "../tools/lib/run-program";
import { readUrnList } from "../tools/lib/urn-list";
import { errorFor } from "./lib/config-error";
import {
  HELM_RELEASE,
  PROJECT_DIR,
  find,
  planOf,
  programError,
  run,
  stackInput,
  valueOf,
} from "./lib/helpers";

const SECRET = "kubernetes:core/v1:Secret";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const kind = { cluster: { type: "kind", context: "kind-observability" } };

const USER = "mirror-reader";
const PASSWORD = "Pa55-w0rd-n0t-in-any-plan";
const AUTH = Buffer.from(`${USER}:${PASSWORD}`).toString("base64");
const AUTHS = { "registry.example.internal:5000": { auth: AUTH } };
/** A Docker config file as `cat ~/.docker/config.json` prints it, with more than its auths. */
const DOCKER_CONFIG = JSON.stringify({ auths: AUTHS, currentContext: "default", proxies: {} });

/** How the messages about imagePullSecret say to set it. */
const SET =
  'set it with `pulumi config set --secret imagePullSecret "$(cat ~/.docker/config.json)"` after `docker login <registry>`, or to a document {"auths":{"<registry>":{"username":"<user>","password":"<password>"}}}';

/** The namespace a resource goes into: a release's `namespace`, or the object's own. */
function namespaceOf(r: DeclaredResource): string | undefined {
  if (r.type === HELM_RELEASE) return r.inputs["namespace"] as string;
  return (r.inputs["metadata"] as { namespace?: string } | undefined)?.namespace;
}

/** Whether the resource runs pods: a chart, a Job or CronJob, or a custom resource ECK runs as pods. */
function runsPods(r: DeclaredResource): boolean {
  return (
    r.type === HELM_RELEASE ||
    r.type === "kubernetes:batch/v1:Job" ||
    r.type === "kubernetes:batch/v1:CronJob" ||
    r.type.includes(".k8s.elastic.co/")
  );
}

function pullSecretsOf(resources: readonly DeclaredResource[]): DeclaredResource[] {
  return resources.filter((r) => r.type === SECRET && r.inputs["type"] === "kubernetes.io/dockerconfigjson");
}

describe("imagePullSecret", () => {
  describe("is checked before anything is declared, and its messages never quote it", () => {
    const cases: [string, string, string[]][] = [
      [
        "text that is no JSON",
        `hunter2 ${PASSWORD}`,
        [`imagePullSecret: is not valid JSON, but it must be the content of a Docker config file; ${SET}`],
      ],
      [
        "JSON without auths",
        JSON.stringify({ registry: { username: USER, password: PASSWORD } }),
        [
          `imagePullSecret: has no "auths" object, where a Docker config file keeps each registry's credentials; ${SET}`,
        ],
      ],
      [
        "auths that is no object",
        JSON.stringify({ auths: [AUTH] }),
        [
          `imagePullSecret: has no "auths" object, where a Docker config file keeps each registry's credentials; ${SET}`,
        ],
      ],
      [
        "empty auths",
        JSON.stringify({ auths: {} }),
        [`imagePullSecret: has no registry under "auths"; ${SET}`],
      ],
      [
        "a registry with a password but no user, and one with an auth that is no base64 of user:password",
        JSON.stringify({
          auths: {
            "registry.example.internal:5000": { password: PASSWORD },
            "quay.example.internal": { auth: Buffer.from(PASSWORD).toString("base64") },
            "ok.example.internal": { username: USER, password: PASSWORD },
          },
        }),
        [
          `imagePullSecret: auths["registry.example.internal:5000"] has neither "auth" nor "username" and "password", so it holds no credentials; ${SET}`,
          `imagePullSecret: auths["quay.example.internal"].auth must be base64 of <username>:<password>, as \`docker login\` writes it; ${SET}`,
        ],
      ],
      [
        "a registry entry that is no object",
        JSON.stringify({ auths: { "registry.example.internal:5000": AUTH } }),
        [
          `imagePullSecret: auths["registry.example.internal:5000"] must be an object with "auth", or "username" and "password"; ${SET}`,
        ],
      ],
      [
        "a Docker Desktop file, whose credentials are in a credential helper",
        JSON.stringify({ auths: { "registry.example.internal:5000": {} }, credsStore: "desktop" }),
        [
          'imagePullSecret: auths["registry.example.internal:5000"] has neither "auth" nor "username" and "password", so it holds no credentials; ' +
            'it names a credential helper ("credsStore"), which keeps the passwords outside the file: set it to a document {"auths":{"<registry>":{"username":"<user>","password":"<password>"}}} with `pulumi config set --secret imagePullSecret \'<document>\'`',
        ],
      ],
    ];
    for (const [what, value, messages] of cases) {
      it(`refuses ${what}`, () => {
        const found = dockerConfigProblems(value).map(formatProblem);
        expect(found).to.deep.equal(messages);
        for (const m of found) {
          expect(m).to.not.include(PASSWORD);
          expect(m).to.not.include(AUTH);
        }
      });
    }

    it("accepts auth, or username and password, whatever else the file holds", () => {
      expect(dockerConfigProblems(DOCKER_CONFIG)).to.deep.equal([]);
      const both = { auths: { "r.example.internal": { username: USER, password: PASSWORD, email: "x@y" } } };
      expect(dockerConfigProblems(JSON.stringify(both))).to.deep.equal([]);
    });

    it("stops the program with one message, together with the other problems of the file", async () => {
      const input = stackInput("dev", { prometheus: { replicas: -1 } }, { imagePullSecret: "{not json" });
      const message = await programError(input);
      expect(message).to.equal(
        "Invalid stack config (2 problems):\n" +
          `  - imagePullSecret: is not valid JSON, but it must be the content of a Docker config file; ${SET}\n` +
          "  - prometheus.replicas: must be a whole number from 1 to 100, got -1; set e.g. `pulumi config set --path prometheus.replicas 1`",
      );
    });

    it("is refused in plain text, like every secret key, without echoing it", async () => {
      const message = await programError(stackInput("dev", { imagePullSecret: DOCKER_CONFIG }));
      expect(message).to.equal(
        "Invalid stack config: imagePullSecret: is plain text in the stack file, but it holds a secret; set it again with `pulumi config set --secret imagePullSecret <value>`, so that it is encrypted",
      );
      expect(message).to.not.include(AUTH);
      expect(SECRET_KEYS).to.include("imagePullSecret");
    });

    it("is unset when empty, Pulumi.yaml's default for every secret key", async () => {
      const r = await run(stackInput("dev", {}, { imagePullSecret: "" }));
      expect(pullSecretsOf(r.resources)).to.deep.equal([]);
    });
  });

  describe("in the config", () => {
    it("adds the program's Secret after images.pullSecrets", () => {
      const cfg = parseStackConfig(
        { ...kind, images: { pullSecrets: ["external-credentials"] } },
        new Set(["imagePullSecret"]),
      );
      expect(cfg.images).to.deep.equal({
        pullSecrets: ["external-credentials", STACK_PULL_SECRET],
        stackPullSecret: STACK_PULL_SECRET,
      });
      expect(parseStackConfig(kind).images).to.deep.equal({ pullSecrets: [] });
    });

    it("refuses images.pullSecrets naming the program's own Secret", () => {
      expect(
        errorFor({ ...kind, images: { pullSecrets: ["a", STACK_PULL_SECRET] } }, ["imagePullSecret"]),
      ).to.equal(
        "Invalid stack config: images.pullSecrets[1]: names observability-image-pull, the Secret the program creates from imagePullSecret; remove it with `pulumi config rm --path 'images.pullSecrets[1]'`: the program gives it to every pod itself",
      );
      // Without imagePullSecret, a Secret of that name is someone else's to create.
      expect(
        parseStackConfig({ ...kind, images: { pullSecrets: [STACK_PULL_SECRET] } }).images.pullSecrets,
      ).to.deep.equal([STACK_PULL_SECRET]);
    });
  });

  for (const stack of ["dev", "prod", "large"]) {
    describe(`in the ${stack} stack`, () => {
      const input = () => stackInput(stack, {}, { imagePullSecret: DOCKER_CONFIG });

      it("creates the pull Secret right after each namespace, and in metrics-server's kube-system", async () => {
        const { resources } = await run(input());
        const namespaces = resources
          .filter((r) => r.type === NAMESPACE)
          .map((r) => r.name.replace(/^ns-/, ""));
        const secrets = pullSecretsOf(resources);
        expect(secrets.map((s) => `${namespaceOf(s) ?? "?"}: ${s.name}`)).to.deep.equal([
          ...namespaces.map((n) => `${n}: observability-namespaces-${n}-image-pull`),
          "kube-system: observability-metrics-server-image-pull",
        ]);
        for (const s of secrets) {
          expect(s.inputs["metadata"]).to.deep.include({ name: STACK_PULL_SECRET });
          expect(s.inputs["stringData"], s.name).to.equal("[secret]");
        }
        for (const n of namespaces) {
          const secret = find(resources, SECRET, `observability-namespaces-${n}-image-pull`);
          expect(secret.parent).to.equal("observability-namespaces");
          expect(secret.dependsOn).to.deep.equal([`ns-${n}`]);
          // Kept with a namespace cluster.retainData keeps: the workloads left there still pull.
          expect(secret.retainOnDelete).to.equal(find(resources, NAMESPACE, `ns-${n}`).retainOnDelete);
          // Declared right after its namespace.
          const at = resources.indexOf(secret);
          expect(resources[at - 1]?.name).to.equal(`ns-${n}`);
        }
        const metricsServer = find(resources, SECRET, "observability-metrics-server-image-pull");
        expect(metricsServer.parent).to.equal("observability-metrics-server");
      });

      it("orders every release, Job, CronJob and ECK resource after the pull Secret of its namespace", async () => {
        const { resources } = await run(input());
        const secretIn = new Map(pullSecretsOf(resources).map((s) => [namespaceOf(s), s.name]));
        const workloads = resources.filter(runsPods);
        expect(workloads.length).to.be.greaterThan(0);
        const unordered = workloads
          .filter((w) => !w.dependsOn.includes(secretIn.get(namespaceOf(w)) ?? "(no pull Secret there)"))
          .map((w) => `${w.type} ${w.name} in ${namespaceOf(w) ?? "?"}: ${w.dependsOn.join(", ")}`);
        expect(unordered).to.deep.equal([]);
      });

      it("gives every pod the Secret: each release's values and the program's own pod specs", async () => {
        const { resources } = await run(input());
        for (const r of resources.filter((x) => x.type === HELM_RELEASE)) {
          // The charts that run no pod (the CRDs' releases) take no pull secrets.
          const takesSecrets = chartOf(r.inputs["chart"] as string).pullSecrets.length > 0;
          expect(JSON.stringify(r.inputs["values"]).includes(`"${STACK_PULL_SECRET}"`), r.name).to.equal(
            takesSecrets,
          );
        }
        const own = resources.filter((r) => runsPods(r) && r.type !== HELM_RELEASE);
        for (const r of own) {
          expect(JSON.stringify(r.inputs), r.name).to.include(`{"name":"${STACK_PULL_SECRET}"}`);
        }
        // The proxies istiod injects, in the stack's namespaces and in application namespaces.
        expect(valueOf(find(resources, HELM_RELEASE, "istiod"), "global.imagePullSecrets")).to.deep.equal([
          STACK_PULL_SECRET,
        ]);
      });

      it("keeps the credentials in the Secrets only: none in values, plan, outputs or URNs", async () => {
        const p = await planOf(input());
        for (const text of [renderJson(p), renderText(p)]) {
          expect(text).to.not.include(AUTH);
          expect(text).to.not.include(PASSWORD);
          expect(text).to.not.include("registry.example.internal:5000");
        }
        const { resources } = await runProgram({ ...input(), revealSecrets: true });
        const holding = resources
          .filter((r) => JSON.stringify(r.inputs).includes(AUTH))
          .map((r) => r.name)
          .sort();
        expect(holding).to.deep.equal(
          pullSecretsOf(resources)
            .map((s) => s.name)
            .sort(),
        );
        // Only the auths, not the rest of the file it was copied from.
        for (const s of pullSecretsOf(resources)) {
          expect(s.inputs["stringData"]).to.deep.equal({
            ".dockerconfigjson": JSON.stringify({ auths: AUTHS }),
          });
        }
      });

      it("adds URNs and changes none: the committed ones are all still there", async () => {
        const p = await planOf(input());
        const listed = readUrnList(PROJECT_DIR, stack) ?? [];
        const urns = p.resources.map((r) => r.urn ?? "");
        expect(listed.filter((u) => !urns.includes(u))).to.deep.equal([]);
        const added = urns.filter((u) => !listed.includes(u));
        expect(added.map((u) => u.split("::").pop())).to.deep.equal(
          pullSecretsOf(await run(input()).then((r) => r.resources)).map((s) => s.name),
        );
        for (const u of added)
          expect(u).to.match(/\$kubernetes:core\/v1:Secret::observability-[a-z-]+-image-pull$/);
      });
    });
  }

  it("is absent from the committed stacks: no pull Secret, no dependsOn on one", async () => {
    for (const stack of ["dev", "prod", "large"]) {
      const { resources } = await run(stackInput(stack));
      expect(pullSecretsOf(resources), stack).to.deep.equal([]);
      expect(JSON.stringify(resources), stack).to.not.include(STACK_PULL_SECRET);
    }
  });
});
