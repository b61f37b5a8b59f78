export { chartSource } from "./catalogue";
export type { ChartPin, ChartSource } from "./catalogue";
export { helmRelease } from "./release";
export type { ReleaseArgs } from "./release";
export { containerUsage, totalRequests, valueAt } from "./inventory";
export type { ContainerSlot, ContainerUsage } from "./inventory";
export {
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
} from "./images";
export type {
  Chart,
  ChartImage,
  ChartImages,
  ImageCondition,
  ImageKey,
  ImageRef,
  PullSecretsKey,
} from "./images";
