export {
  Istio,
  ISTIO_BASE_RELEASE,
  ISTIOD_RELEASE,
  ISTIO_GATEWAY_RELEASE,
  ISTIO_GATEWAY_SELECTOR,
  INJECTION_LABEL,
} from "./istio";
export type { IstioArgs } from "./istio";
export {
  istiodValues,
  istioGatewayValues,
  ISTIOD_CONTAINERS,
  ISTIO_GATEWAY_CONTAINERS,
  TRACING_PROVIDER,
  MESH_EXTENSION_PROVIDERS_SLOT,
  contributedProviders,
} from "./istio-values";
export type { IstioValuesArgs } from "./istio-values";
export { MeshPolicies } from "./mesh-policies";
export type { MeshPoliciesArgs, MeshGrafana, MeshGateway } from "./mesh-policies";
export {
  peerAuthentications,
  authorizationPolicies,
  meshTelemetry,
  grafanaRoute,
  principal,
  ROOT_NAMESPACE,
  TRUST_DOMAIN,
  MTLS_REASON_ANNOTATION,
  MTLS_STRICT_REASON_ANNOTATION,
  STRICT_FOR_SCRAPE_REASON,
} from "./policies";
export type {
  AuthorizationArgs,
  GrafanaBehindGateway,
  GrafanaRouteArgs,
  ScrapedWithIstioCertificate,
  TelemetryArgs,
} from "./policies";
export { MeshMonitors } from "./mesh-monitors";
export type { MeshMonitorsArgs } from "./mesh-monitors";
export { istiodServiceMonitor, envoyPodMonitor } from "./monitors";
export { CanaryRoute } from "./canary-route";
export type { CanaryRouteArgs } from "./canary-route";
export { canaryDestinationRule, canaryVirtualService, canaryProblems } from "./canary";
export type { CanaryRouteSpec } from "./canary";
export {
  declareCustomResource,
  declareCustomResources,
  customResourceName,
  ownedMetadata,
} from "./custom-resources";
export type { CustomResourceObject, DeclareOptions } from "./custom-resources";
export {
  readMesh,
  meshWarnings,
  namespaceMtlsMode,
  MTLS_MODES,
  STACK_NAMESPACES,
  SYSTEM_NAMESPACES,
} from "./config";
export type { MeshConfig, MeshContext, MtlsConfig, MtlsMode } from "./config";
export { meshPart } from "./part";
export { MESH_CHARTS } from "./charts";
export { grafanaGatewayUrl } from "./part";
