import { STACK_LABELS } from "../kit";

/** The Service applications send spans to, whatever receives them behind it. */
export const OTLP_SERVICE = "otlp";
export const OTLP_PORTS = { grpc: 4317, http: 4318 } as const;

/**
 * The one in-cluster OTLP endpoint the stack promises applications ("instrument once, route
 * anywhere"). The program owns it, so its name survives chart upgrades and renames, and it
 * selects the collector gateway's pods when the gateway runs and Jaeger's pods otherwise:
 * switching the gateway on or off, or the backend behind it, changes nothing in applications.
 */
export function otlpServiceSpec<N>(args: {
  namespace: N;
  /** Labels of the pods that receive OTLP on 4317 and 4318. */
  selector: Readonly<Record<string, string>>;
}): {
  metadata: { name: string; namespace: N; labels: Record<string, string> };
  spec: {
    type: string;
    selector: Record<string, string>;
    ports: { name: string; port: number; targetPort: number; protocol: string; appProtocol: string }[];
  };
} {
  return {
    metadata: {
      name: OTLP_SERVICE,
      namespace: args.namespace,
      labels: { ...STACK_LABELS, "app.kubernetes.io/name": OTLP_SERVICE },
    },
    spec: {
      type: "ClusterIP",
      selector: { ...args.selector },
      ports: [
        // appProtocol lets a service mesh treat the traffic as gRPC and HTTP without guessing.
        {
          name: "otlp-grpc",
          port: OTLP_PORTS.grpc,
          targetPort: OTLP_PORTS.grpc,
          protocol: "TCP",
          appProtocol: "grpc",
        },
        {
          name: "otlp-http",
          port: OTLP_PORTS.http,
          targetPort: OTLP_PORTS.http,
          protocol: "TCP",
          appProtocol: "http",
        },
      ],
    },
  };
}

/** The addresses applications configure, in-cluster, with the standard SDK variables. */
export function otlpEndpoints(namespace: string): {
  grpc: string;
  http: string;
  env: Record<string, string>;
} {
  const host = `${OTLP_SERVICE}.${namespace}.svc`;
  return {
    grpc: `${host}:${OTLP_PORTS.grpc}`,
    http: `http://${host}:${OTLP_PORTS.http}`,
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://${host}:${OTLP_PORTS.http}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
    },
  };
}
