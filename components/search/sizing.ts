/**
 * What each container of the search part requests, per sizing preset, by the id that
 * `observability:resources` overrides use (the stack-wide budget rules: components/kit/config/sizing.ts).
 */
import { ContainerResources, resources as r, Sizing } from "../kit";

export const SEARCH_SIZING = {
  laptop: {
    // The ELK part is off in dev: with it on, the operator, Kibana and Filebeat exceed the laptop budget.
    eckOperator: r("50m", "128Mi", "384Mi"),
    // Elasticsearch sizes its heap from the memory limit; request equals limit, as Elastic advises.
    // It is outside the laptop budget (see the README).
    elasticsearch: r("500m", "1Gi", "1Gi"),
    elasticsearchMaster: r("250m", "768Mi", "768Mi"),
    kibana: r("100m", "768Mi", "1Gi"),
    filebeat: r("20m", "100Mi", "200Mi"),
    elasticIlmJob: r("10m", "32Mi", "64Mi"),
  },
  production: {
    eckOperator: r("100m", "256Mi", "1Gi"),
    elasticsearch: r("2", "8Gi", "8Gi"),
    elasticsearchMaster: r("500m", "2Gi", "2Gi"),
    kibana: r("500m", "2Gi", "2Gi"),
    filebeat: r("100m", "200Mi", "400Mi"),
    elasticIlmJob: r("20m", "32Mi", "64Mi"),
  },
} as const satisfies Record<Sizing, Record<string, ContainerResources>>;

declare module "../kit/config/sizing" {
  // The search part's containers join the stack's (kit names none).
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface StackContainers extends Record<keyof (typeof SEARCH_SIZING)["laptop"], ContainerResources> {}
}
