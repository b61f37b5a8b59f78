import * as k8s from "@pulumi/kubernetes";
import { ContainerResources, ImagesConfig, PUBLIC_IMAGES, stackImage, toK8s } from "../kit";
import type { ElasticVersion } from "./config";
import { ELASTICSEARCH_CA_SECRET } from "./elasticsearch";
import { elasticImage } from "./charts";

/**
 * What every script the program runs in the Elasticsearch image shares (the lifecycle Job, the CA
 * copies): bash and curl from the image of the cluster's version, already on the nodes, as a
 * non-root user on a read-only root filesystem, with ECK's CA mounted and a writable /tmp.
 */
export const SCRIPT_POD_SECURITY: k8s.types.input.core.v1.PodSecurityContext = {
  runAsNonRoot: true,
  runAsUser: 1000,
  seccompProfile: { type: "RuntimeDefault" },
};

/** Where a script pod mounts ECK's CA. */
export const SCRIPT_CA_DIR = "/etc/elasticsearch-ca";

export interface ScriptContainerArgs {
  name: string;
  version: ElasticVersion;
  script: string;
  env: k8s.types.input.core.v1.EnvVar[];
  resources: ContainerResources;
  /** Where images come from (stack config `images`). Defaults to the public registry. */
  images?: ImagesConfig;
}

/** The one container of a script pod. */
export function scriptContainer(args: ScriptContainerArgs): k8s.types.input.core.v1.Container {
  return {
    name: args.name,
    image: stackImage(elasticImage("elasticsearch", args.version), args.images ?? PUBLIC_IMAGES),
    command: ["/bin/bash", "-c", args.script],
    env: args.env,
    resources: toK8s(args.resources),
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      readOnlyRootFilesystem: true,
    },
    volumeMounts: [
      { name: "ca", mountPath: SCRIPT_CA_DIR, readOnly: true },
      // bash may need a temporary file; the root filesystem is read-only.
      { name: "tmp", mountPath: "/tmp" },
    ],
  };
}

/** The volumes a script container mounts: ECK's CA Secret and an empty /tmp. */
export const SCRIPT_VOLUMES: k8s.types.input.core.v1.Volume[] = [
  { name: "ca", secret: { secretName: ELASTICSEARCH_CA_SECRET.name } },
  { name: "tmp", emptyDir: {} },
];
