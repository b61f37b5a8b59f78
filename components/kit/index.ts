export { STACK_LABELS, DOMAIN_LABEL, namespaceLabels } from "./labels";
export type { NamespaceSpec, OwnedNamespace, PodSecurityLevel } from "./labels";
export type { CustomResourceObject } from "./custom-resource";
export { STACK_NAMESPACE_NAMES, serviceHost, portForward } from "./naming";
export type { StackNamespaceKey } from "./naming";
export { serviceMonitor } from "./service-monitor";
export { imagePullSecret } from "./pull-secret";
export type { ImagePullSecretArgs, StackPullSecret } from "./pull-secret";
export type { ServiceMonitorArgs } from "./service-monitor";
export { ConfigError, formatProblem } from "./config/errors";
export type { ConfigProblem } from "./config/errors";
export { Section, describe, isTrue, setCommand, patterns } from "./config/reader";
export { readStorage } from "./config/storage";
export type { StorageConfig } from "./config/storage";
export {
  readS3Credentials,
  S3_ACCESS_KEY_ID_KEY,
  S3_CONNECTION_FIELDS,
  S3_SECRET_ACCESS_KEY_KEY,
} from "./config/s3-credentials";
export type { S3Credentials, S3CredentialsSpec } from "./config/s3-credentials";
export {
  AZURE_ACCOUNT,
  AZURE_CONTAINER,
  BUCKET_IDENTITY_FIELDS,
  BUCKET_IDENTITY_KINDS,
  BUCKET_STORES,
  bucketAccess,
  GCS_BUCKET,
  identityAnnotations,
  identityPodLabels,
  readBucketIdentity,
  STORE_IDENTITIES,
} from "./config/bucket-identity";
export type { BucketAccess, BucketIdentity, BucketIdentityKind, BucketStore } from "./config/bucket-identity";
export { parseQuantity } from "./config/quantity";
export { editDistance, likelyMeant } from "./config/suggest";
export { durationSeconds, goDuration } from "./config/duration";
export { resources, SIZINGS, toK8s } from "./config/sizing";
export type {
  ContainerId,
  ContainerResources,
  K8sResources,
  Sizing,
  SizingTable,
  StackContainers,
} from "./config/sizing";
export { readFields, readMap, docRows, MAX_REPLICAS } from "./config/declare";
export type {
  DocRow,
  Field,
  Fields,
  GroupField,
  Infer,
  KeyDeclaration,
  MapDeclaration,
  NumberField,
  ReadContext,
  TextFormat,
} from "./config/declare";
export {
  CLUSTER_TYPES,
  CLUSTER_KEY,
  CHARTS_KEY,
  resourcesKey,
  SIZING_KEY,
  readCharts,
  readCluster,
  readResources,
} from "./config/platform";
export type { ChartsConfig, ClusterConfig, ClusterType, PlatformConfig } from "./config/platform";
export {
  IMAGES_KEY,
  IMAGES_FIELDS,
  IMAGE_PULL_SECRET_DECLARATION,
  IMAGE_PULL_SECRET_KEY,
  STACK_PULL_SECRET,
  dockerConfigProblems,
  readImages,
  stackDockerConfig,
} from "./config/images";
export type { ImagesConfig } from "./config/images";
export {
  chartSource,
  helmRelease,
  containerUsage,
  totalRequests,
  valueAt,
  PUBLIC_IMAGES,
  deepMerge,
  formatImage,
  imageValues,
  mirrorImage,
  parseImage,
  releaseImages,
  withImages,
  stackImage,
  podPullSecrets,
} from "./charts";
export type {
  Chart,
  ChartPin,
  ChartSource,
  ReleaseArgs,
  ContainerSlot,
  ContainerUsage,
  ChartImage,
  ChartImages,
  ImageCondition,
  ImageKey,
  ImageRef,
  PullSecretsKey,
} from "./charts";
export { contributionsView, foldContributions, mergeContributedValues, secretString } from "./part";
export type {
  ContributionsView,
  DeclareContext,
  DeclareStep,
  NamespaceNames,
  Part,
  PartConfig,
  PartContributions,
  PartDatasources,
  PodGroupsView,
  PartReadContext,
  Provided,
  RunsView,
  StackSecretsView,
  StackView,
} from "./part";
export { COMPONENT_LABEL, flowList, INSTANCE_LABEL, NAME_LABEL, tcp } from "./network";
export type { Flow, FlowSource, PodGroup, Port } from "./network";
export type { GrafanaDatasource } from "./datasource";
