import { alertmanagerDatasources, DatasourceProvider } from "../grafana";
import { lokiDatasource } from "../logging";
import { JAEGER_PORTS, JAEGER_SERVICE, jaegerDatasource, lokiTraceDerivedFields } from "../tracing";

function namespaceOf(ctx: Parameters<DatasourceProvider>[0], key: string): string {
  const ns = ctx.namespaces[key]?.name;
  if (ns === undefined) throw new Error(`no ${key} namespace among the stack's namespaces`);
  return ns;
}

/** Loki, when it runs; a trace id in a log line links to Jaeger (pruned when Jaeger is off). */
export const lokiDatasources: DatasourceProvider = (ctx) =>
  ctx.config.loki.enabled
    ? [lokiDatasource(namespaceOf(ctx, "logging"), ctx.config.loki, lokiTraceDerivedFields())]
    : [];

/** Jaeger, when it runs; spans link to their logs in Loki (pruned when Loki is off) and to metrics. */
export const jaegerDatasources: DatasourceProvider = (ctx) =>
  ctx.config.tracing.enabled && ctx.config.tracing.jaeger.enabled
    ? [
        jaegerDatasource({
          url: `http://${JAEGER_SERVICE}.${namespaceOf(ctx, "tracing")}.svc:${JAEGER_PORTS.query}`,
          lokiEnabled: true,
        }),
      ]
    : [];

/**
 * Every part that brings Grafana a datasource, in the order Grafana lists them. stackDatasources
 * turns this into the one list of what exists, with links to absent datasources removed.
 */
export const STACK_DATASOURCE_PROVIDERS: readonly DatasourceProvider[] = [
  alertmanagerDatasources,
  lokiDatasources,
  jaegerDatasources,
];
