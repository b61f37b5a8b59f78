import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stackDockerConfig } from "./config/images";
import { STACK_LABELS } from "./labels";

/** The pull Secret the program creates from the secret key imagePullSecret, as components take it. */
export interface StackPullSecret {
  /** The Secret's name in each namespace (`STACK_PULL_SECRET`). */
  name: string;
  /** The validated imagePullSecret value, a secret Output. */
  dockerConfig: pulumi.Output<string>;
}

export interface ImagePullSecretArgs extends StackPullSecret {
  /** The namespace the Secret goes into. */
  namespace: pulumi.Input<string>;
}

/**
 * A `kubernetes.io/dockerconfigjson` Secret holding the auths of imagePullSecret, secret all the
 * way: its data is encrypted in state and never shows in a plan, a log or an output.
 */
export function imagePullSecret(
  resourceName: string,
  args: ImagePullSecretArgs,
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Secret {
  return new k8s.core.v1.Secret(
    resourceName,
    {
      metadata: { name: args.name, namespace: args.namespace, labels: { ...STACK_LABELS } },
      type: "kubernetes.io/dockerconfigjson",
      stringData: pulumi.secret(
        args.dockerConfig.apply((c) => ({ ".dockerconfigjson": stackDockerConfig(c) })),
      ),
    },
    opts,
  );
}
