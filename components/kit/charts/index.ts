export { CHARTS, chartSource } from "./catalogue";
export type { ChartKey, ChartPin, ChartSource } from "./catalogue";
export { helmRelease } from "./release";
export type { ReleaseArgs } from "./release";
export { containerUsage, totalRequests, valueAt } from "./inventory";
export type { ContainerSlot, ContainerUsage } from "./inventory";
