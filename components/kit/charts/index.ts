export { CHARTS, chartSource } from "./catalogue";
export type { ChartKey, ChartPin, ChartSource } from "./catalogue";
export { helmRelease } from "./release";
export type { ReleaseArgs } from "./release";
export { containerUsage, totalRequests, valueAt } from "./inventory";
export type { ContainerSlot, ContainerUsage } from "./inventory";
export {
  CHART_IMAGES,
  PUBLIC_IMAGES,
  deepMerge,
  elasticImage,
  formatImage,
  imageValues,
  mirrorImage,
  parseImage,
  releaseImages,
  withImages,
  stackImage,
  podPullSecrets,
} from "./images";
export type { ChartImage, ChartImages, ImageCondition, ImageKey, ImageRef, PullSecretsKey } from "./images";
