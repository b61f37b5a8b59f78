export { Alerting } from "./alerting";
export type { AlertingArgs, AlertingSummary } from "./alerting";
export { alertRuleGroups, prometheusRuleSpec, ALERT_NAMES } from "./rules";
export type { AlertRule, RuleArgs, RuleGroup } from "./rules";
export {
  alertmanagerConfigSpec,
  receiversWithSecrets,
  routingEnabled,
  GLOBAL_CONFIG_LABEL,
  RECEIVER_SECRET_NAME,
  ROUTING_CONFIG_NAME,
} from "./routing";
export { readAlerting, NULL_RECEIVER, RECEIVER_TYPES } from "./config";
export type { AlertingConfig, ReceiverConfig } from "./config";
export { alertingPart } from "./part";
