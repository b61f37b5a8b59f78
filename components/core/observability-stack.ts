import * as pulumi from "@pulumi/pulumi";
import { contributionsView, DeclareContext, DeclareStep, Provided, StackPullSecret } from "../kit";
import { StackConfig } from "./config";
import { StackSecrets } from "./load";
import { StackModel, stackModel } from "./model";
import { Namespaces } from "./namespaces";
import { NetworkPolicies } from "./network-policies";
import { StackEndpoints } from "./outputs";
import { registeredParts } from "./registry";

export interface ObservabilityStackArgs {
  /** The validated stack config (see components/core/config.ts). */
  config: StackConfig;
  /** Secret config as secret Outputs. Defaults to none: missing secrets are generated. */
  secrets?: StackSecrets;
  /** What the program hands the parts besides config (the community dashboards, fetched first). Defaults to none. */
  extras?: Readonly<Record<string, unknown>>;
}

/**
 * The whole stack: the model decides what runs and where (components/core/model.ts); this owns
 * the namespaces, runs every part's declaration steps in their order, and the NetworkPolicies.
 */
export class ObservabilityStack extends pulumi.ComponentResource {
  readonly model: StackModel;
  readonly endpoints: StackEndpoints;
  readonly namespaces: Namespaces;
  readonly networkPolicies?: NetworkPolicies;

  constructor(name: string, args: ObservabilityStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:core:ObservabilityStack", name, {}, opts);
    const { config } = args;
    const secrets = args.secrets ?? {};
    const model = stackModel(config);
    this.model = model;
    for (const warning of model.warnings) void pulumi.log.warn(warning, this);

    // With imagePullSecret, a pull Secret in every namespace the stack's pods run in, first there.
    let pullSecret: StackPullSecret | undefined;
    if (config.images.stackPullSecret !== undefined) {
      if (secrets.imagePullSecret === undefined) {
        throw new Error(
          "images.stackPullSecret comes from the secret key imagePullSecret, but none was passed",
        );
      }
      pullSecret = { name: config.images.stackPullSecret, dockerConfig: secrets.imagePullSecret };
    }
    this.namespaces = new Namespaces(
      `${name}-namespaces`,
      {
        namespaces: model.namespaces,
        retainData: config.cluster.retainData,
        ...(pullSecret !== undefined ? { pullSecret } : {}),
      },
      { parent: this },
    );
    const stackNamespaces = model.namespaces.map((n) => n.name);
    const endpoints: StackEndpoints = { namespaces: stackNamespaces };
    const provided: Provided = {};
    const ctx: DeclareContext<StackConfig> = {
      name,
      parent: this,
      config,
      runs: model.runs,
      services: model.services,
      datasources: { ...model.datasources, uids: model.datasourceUids },
      secrets,
      contributions: contributionsView(model.contributions),
      ns: model.namespaceOf,
      owned: (namespace) => this.namespaces.owned(namespace),
      namespaces: this.namespaces.byName,
      stackNamespaces,
      ...(pullSecret !== undefined ? { pullSecret } : {}),
      provided,
      endpoints,
      extras: args.extras ?? {},
    };
    // Every part's steps, in their order: a step needs what lower ones declared (the mesh's
    // injector before the pods it injects, CRDs before their custom resources).
    const steps: DeclareStep<StackConfig>[] = registeredParts<StackConfig>().flatMap((p) => [...p.declare]);
    for (const step of [...steps].sort((a, b) => a.order - b.order)) step.declare(ctx);

    if (model.flows.length > 0) {
      this.networkPolicies = new NetworkPolicies(
        `${name}-network-policies`,
        {
          namespaces: new Map(stackNamespaces.map((n) => [n, this.namespaces.get(n)])),
          flows: model.flows,
        },
        { parent: this },
      );
    }

    this.endpoints = endpoints;
    this.registerOutputs({ endpoints });
  }
}
