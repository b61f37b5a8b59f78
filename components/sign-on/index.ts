export { signOnPart } from "./part";
export type { SignOnEndpoints, SignOnRuns, SignOnSlice, SignOnView } from "./part";
export { SIGN_ON_CHARTS } from "./charts";
export { SIGN_ON_SIZING } from "./sizing";
export {
  GRAFANA_ROLES,
  readSignOn,
  SIGN_ON_CLIENT_SECRET,
  SIGN_ON_CLIENT_SECRET_KEY,
  SIGN_ON_FIELDS,
  SIGN_ON_KEY,
  SIGN_ON_SECRET,
} from "./config";
export type { GrafanaRole, SignOnConfig, SignOnContext, SignOnRunning } from "./config";
export {
  CLIENT_SECRET_KEY,
  GRAFANA_CLIENT_SECRET_ENV,
  grafanaSignOnValues,
  roleAttributePath,
} from "./grafana-oauth";
export { oauth2ProxyProvider, signOnPolicy } from "./oauth2-proxy";
export {
  COOKIE_SECRET_KEY,
  OAUTH2_PROXY_CONTAINERS,
  OAUTH2_PROXY_PORT,
  OAUTH2_PROXY_PROVIDER,
  OAUTH2_PROXY_RELEASE,
  oauth2ProxyConfigFile,
  oauth2ProxySettings,
  oauth2ProxyValues,
} from "./oauth2-proxy-values";
