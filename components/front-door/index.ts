export { frontDoorPart, servedUis, CERT_MANAGER_NAMESPACE } from "./part";
export type { FrontDoorEndpoints, FrontDoorRuns, FrontDoorSlice, FrontDoorView } from "./part";
export { FRONT_DOOR_CHARTS } from "./charts";
export { FRONT_DOOR_SIZING } from "./sizing";
export { FrontDoor } from "./front-door";
export type { FrontDoorArgs } from "./front-door";
export {
  ACME_SOLVERS,
  FRONT_DOOR_FIELDS,
  FRONT_DOOR_KEY,
  ISSUERS,
  KIND_DOMAIN,
  LETS_ENCRYPT,
  frontDoorRunning,
  readFrontDoor,
} from "./config";
export type {
  AcmeSolver,
  FrontDoorConfig,
  FrontDoorRunning,
  FrontDoorContext,
  IssuerConfig,
  IssuerKind,
} from "./config";
export {
  CERT_MANAGER_CONTAINERS,
  CERT_MANAGER_RELEASE,
  CERT_MANAGER_WEBHOOK_PORT,
  certManagerValues,
} from "./cert-manager-values";
export type { CertManagerValuesArgs } from "./cert-manager-values";
export {
  ACME_CHALLENGE_PREFIX,
  ACME_SOLVER_LABELS,
  ACME_SOLVER_PORT,
  BOOTSTRAP_ISSUER_NAME,
  CA_SECRET,
  FRONT_DOOR_NAME,
  FRONT_DOOR_TLS_SECRET,
  ISSUER_NAME,
  gatewayCertificate,
  issuerManifests,
  notUnderPrefix,
  routeManifests,
} from "./manifests";
export type { FrontDoorObject, RouteArgs } from "./manifests";
export { FRONT_DOOR_LOCAL_PORT, frontDoorUis, UI_NAMES, uiBackends, uiUrls } from "./uis";
export type { FrontDoorUi, UiBackend, UiName } from "./uis";
