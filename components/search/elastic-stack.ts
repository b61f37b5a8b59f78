import * as k8s from "@pulumi/kubernetes";
import type { OwnedNamespace } from "../kit";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { datasourceSecret } from "../grafana";
import { eckOperatorValues } from "./eck-operator-values";
import {
  ELASTIC_USER_SECRET,
  ELASTICSEARCH_CA_SECRET,
  ELASTICSEARCH_NAME,
  ELASTICSEARCH_SERVICE,
  elasticsearchManifest,
  logReplicas,
  KIBANA_SERVICE,
  kibanaManifest,
} from "./elasticsearch";
import { FILEBEAT_CLUSTER_RULES, FILEBEAT_SERVICE_ACCOUNT, filebeatManifest } from "./filebeat";
import {
  elasticsearchDatasource,
  elasticsearchUrl,
  GRAFANA_CA_COPY,
  GRAFANA_DATASOURCE_SECRET,
  GRAFANA_READER_ROLE,
  GRAFANA_READER_SECRET,
  GRAFANA_READER_USER,
  readerRoles,
  rolesYaml,
  ROLES_SECRET,
} from "./grafana-access";
import {
  CaCopyTarget,
  caCopyCronJobManifest,
  caCopyJobManifest,
  caCopyRules,
  caCopyServiceAccount,
} from "./ca-copy";
import { JAEGER_ES_ROLE, JAEGER_USER_SECRET, jaegerRole } from "./jaeger-access";
import { ilmJobManifest, ILM_POLICY, LOG_DATA_STREAM } from "./ilm";
import { CustomResourceObject, STACK_LABELS, helmRelease } from "../kit";
import type { PlatformConfig } from "../kit";
import type { ElasticConfig } from "./config";
import { SEARCH_CHARTS } from "./charts";

export interface ElasticStackArgs {
  /** The operator's namespace (`elastic-system`). */
  operatorNamespace: OwnedNamespace;
  /**
   * The namespace of Elasticsearch, Kibana, Filebeat and the lifecycle Job (`search`): the custom
   * resources and the endpoints take its plain name, and everything in it waits for it to be ready.
   */
  namespace: OwnedNamespace;
  /** Grafana's namespace, where the Elasticsearch datasource goes. Defaults to none: no datasource. */
  grafanaNamespace?: OwnedNamespace;
  /** The password of Grafana's Elasticsearch user, from secret config. Defaults to a generated one. */
  grafanaReaderPassword?: pulumi.Output<string>;
  /** The stack config; this component reads cluster, charts, resources and elastic. */
  config: Pick<PlatformConfig, "cluster" | "charts" | "images" | "resources"> & { elastic: ElasticConfig };
  /**
   * Jaeger writes its spans here: its user (`username`) and role, and ECK's CA copied into
   * Jaeger's namespace as `caSecret` (key `caKey`). Defaults to none.
   */
  jaeger?: {
    namespace: OwnedNamespace;
    username: string;
    indexPrefix: string;
    caSecret: string;
    caKey: string;
    /** Jaeger's password, from the secret key tracingElasticsearchPassword. Defaults to a generated one. */
    password?: pulumi.Output<string>;
  };
}

/** What Jaeger needs from the cluster: where it is, its password, and what to wait for. */
export interface JaegerElasticsearchAccess {
  url: string;
  /** Replicas per shard the cluster can hold. */
  replicas: number;
  /** The password of Jaeger's user (supplied or generated). */
  password: pulumi.Output<string>;
  /** The cluster and the CA copy: Jaeger starts after both. */
  ready: pulumi.Resource[];
}

/** The operator's release name. */
export const ECK_RELEASE = "eck-operator";

/** Where the cluster is and how to reach it: what Kibana users, Grafana and Jaeger need. */
export interface ElasticEndpoints {
  namespace: string;
  elasticsearch: {
    service: string;
    url: string;
    /** ECK's Secret with the `elastic` superuser's password (the name, never the password). */
    elasticUserSecret: { name: string; key: string };
    /** ECK's Secret with the CA of the HTTPS certificate. */
    caSecret: { name: string; key: string };
    logDataStream: string;
    ilmPolicy: string;
  };
  kibana: { service: string; portForward: string; url: string };
}

/**
 * Elasticsearch, Kibana and Filebeat through ECK: the operator (which installs the CRDs) first,
 * then the custom resources, each depending on it; the lifecycle Job once the cluster is ready,
 * then Filebeat, so the first log lands in a data stream that already has its policy.
 */
export class ElasticStack extends pulumi.ComponentResource {
  /** The eck-operator release; it installs the CRDs and serves their admission webhook. */
  readonly operator: k8s.helm.v3.Release;
  readonly elasticsearch: k8s.apiextensions.CustomResource;
  readonly kibana: k8s.apiextensions.CustomResource;
  readonly ilmJob: k8s.batch.v1.Job;
  readonly filebeat?: k8s.apiextensions.CustomResource;
  readonly endpoints: ElasticEndpoints;
  /** Jaeger's access, when Jaeger writes here. */
  readonly jaeger?: JaegerElasticsearchAccess;

  constructor(name: string, args: ElasticStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:search:ElasticStack", name, {}, opts);
    const { config } = args;
    const elastic = config.elastic;
    const nsReady = args.namespace.ready;
    const namespace = args.namespace.resource.metadata.name;
    const nsName = args.namespace.name;

    this.operator = helmRelease(
      ECK_RELEASE,
      {
        chart: SEARCH_CHARTS.eckOperator,
        releaseName: ECK_RELEASE,
        namespace: args.operatorNamespace.resource.metadata.name,
        values: eckOperatorValues({ resources: config.resources, managedNamespaces: [nsName] }),
        charts: config.charts,
        images: config.images,
      },
      { parent: this, dependsOn: [...args.operatorNamespace.ready, ...nsReady] },
    );

    // Grafana's own user in the cluster, when there is a Grafana to use it, and Jaeger's, when
    // Jaeger writes here: file-realm users with generated passwords and their roles.
    const authSecrets: k8s.core.v1.Secret[] = [];
    const fileRealm: string[] = [];
    const roles: Record<string, unknown> = {};
    // A password from secret config when the stack has one (teams with their own secret manager),
    // else a generated one.
    const user = (
      resourceName: string,
      secretName: string,
      username: string,
      role: string,
      supplied: pulumi.Output<string> | undefined,
    ) => {
      const password =
        supplied ??
        pulumi.secret(
          new random.RandomPassword(
            `${resourceName}-password`,
            { length: 32, special: false },
            { parent: this },
          ).result,
        );
      authSecrets.push(
        new k8s.core.v1.Secret(
          resourceName,
          {
            metadata: { name: secretName, namespace, labels: { ...STACK_LABELS } },
            type: "kubernetes.io/basic-auth",
            stringData: pulumi.secret(password.apply((p) => ({ username, password: p, roles: role }))),
          },
          // Retained with the Elasticsearch resource that refers to it (its file realm user).
          { parent: this, dependsOn: [...nsReady], retainOnDelete: config.cluster.retainData },
        ),
      );
      fileRealm.push(secretName);
      return password;
    };
    let readerPassword: pulumi.Output<string> | undefined;
    if (args.grafanaNamespace !== undefined) {
      readerPassword = user(
        `${name}-grafana-reader`,
        GRAFANA_READER_SECRET,
        GRAFANA_READER_USER,
        GRAFANA_READER_ROLE,
        args.grafanaReaderPassword,
      );
      Object.assign(roles, readerRoles());
    }
    let jaegerPassword: pulumi.Output<string> | undefined;
    if (args.jaeger !== undefined) {
      jaegerPassword = user(
        `${name}-jaeger-user`,
        JAEGER_USER_SECRET,
        args.jaeger.username,
        JAEGER_ES_ROLE,
        args.jaeger.password,
      );
      roles[JAEGER_ES_ROLE] = jaegerRole(args.jaeger.indexPrefix);
    }
    if (fileRealm.length > 0) {
      authSecrets.push(
        new k8s.core.v1.Secret(
          `${name}-roles`,
          {
            metadata: { name: ROLES_SECRET, namespace, labels: { ...STACK_LABELS } },
            type: "Opaque",
            stringData: { "roles.yml": rolesYaml(roles) },
          },
          // Retained with the Elasticsearch resource that refers to it (its roles).
          { parent: this, dependsOn: [...nsReady], retainOnDelete: config.cluster.retainData },
        ),
      );
    }

    const custom = (
      resourceName: string,
      manifest: CustomResourceObject,
      dependsOn: pulumi.Resource[],
      extra: pulumi.CustomResourceOptions = {},
    ) =>
      new k8s.apiextensions.CustomResource(resourceName, manifest, {
        parent: this,
        dependsOn: [this.operator, ...nsReady, ...dependsOn],
        ...extra,
      });

    this.elasticsearch = custom(
      `${name}-elasticsearch`,
      elasticsearchManifest({
        elastic,
        namespace: nsName,
        ...(config.cluster.storageClass !== undefined ? { storageClass: config.cluster.storageClass } : {}),
        resources: config.resources,
        images: config.images,
        ...(fileRealm.length > 0 ? { auth: { fileRealm, roles: [ROLES_SECRET] } } : {}),
      }),
      authSecrets,
      // It waits for ECK's Ready phase: pulling the image and forming a cluster takes minutes.
      // retainOnDelete: ECK deletes the data volumes with the Elasticsearch resource, so switching
      // search off or destroying the stack leaves the cluster and its indices running instead.
      {
        customTimeouts: { create: "30m", update: "30m" },
        retainOnDelete: config.cluster.retainData,
      },
    );

    this.kibana = custom(
      `${name}-kibana`,
      kibanaManifest({ elastic, namespace: nsName, resources: config.resources, images: config.images }),
      [this.elasticsearch],
    );

    this.ilmJob = new k8s.batch.v1.Job(
      `${name}-ilm`,
      ilmJobManifest({ elastic, namespace: nsName, resources: config.resources, images: config.images }),
      // Pulumi waits for the Job to complete, up to its own activeDeadlineSeconds.
      {
        parent: this,
        dependsOn: [...nsReady, this.operator, this.elasticsearch],
        customTimeouts: { create: "30m" },
      },
    );

    // ECK's CA copied into a reader's namespace: a ServiceAccount here, allowed to write the one
    // copy there; the first copy before the reader uses it (Pulumi waits for the Job), then one
    // every night. Resource names keep Jaeger's first copy's URNs.
    const copyCa = (target: CaCopyTarget, targetNamespace: OwnedNamespace): k8s.batch.v1.Job => {
      const prefix = `${name}-${caCopyServiceAccount(target.reader)}`;
      const account = caCopyServiceAccount(target.reader);
      const serviceAccount = new k8s.core.v1.ServiceAccount(
        `${prefix}-sa`,
        { metadata: { name: account, namespace, labels: { ...STACK_LABELS } } },
        { parent: this, dependsOn: [...nsReady] },
      );
      const targetMetadata = {
        name: account,
        namespace: targetNamespace.resource.metadata.name,
        labels: { ...STACK_LABELS },
      };
      const role = new k8s.rbac.v1.Role(
        `${prefix}-role`,
        { metadata: targetMetadata, rules: caCopyRules(target.secret) },
        { parent: this, dependsOn: [...targetNamespace.ready] },
      );
      const binding = new k8s.rbac.v1.RoleBinding(
        `${prefix}-binding`,
        {
          metadata: targetMetadata,
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: account },
          subjects: [{ kind: "ServiceAccount", name: account, namespace: nsName }],
        },
        { parent: this, dependsOn: [role, serviceAccount] },
      );
      const manifestArgs = {
        namespace: nsName,
        target,
        version: elastic.version,
        resources: config.resources,
        images: config.images,
      };
      const job = new k8s.batch.v1.Job(prefix, caCopyJobManifest(manifestArgs), {
        parent: this,
        dependsOn: [...nsReady, this.elasticsearch, binding],
        customTimeouts: { create: "15m" },
      });
      new k8s.batch.v1.CronJob(`${prefix}-nightly`, caCopyCronJobManifest(manifestArgs), {
        parent: this,
        dependsOn: [...nsReady, binding],
      });
      return job;
    };

    if (args.jaeger !== undefined && jaegerPassword !== undefined) {
      const j = args.jaeger;
      const job = copyCa(
        { reader: "jaeger", namespace: j.namespace.name, secret: j.caSecret, key: j.caKey },
        j.namespace,
      );
      this.jaeger = {
        url: elasticsearchUrl(nsName),
        replicas: logReplicas(elastic),
        password: jaegerPassword,
        ready: [this.elasticsearch, job],
      };
    }

    if (elastic.filebeat.enabled) {
      const serviceAccount = new k8s.core.v1.ServiceAccount(
        `${name}-filebeat-sa`,
        { metadata: { name: FILEBEAT_SERVICE_ACCOUNT, namespace, labels: { ...STACK_LABELS } } },
        { parent: this, dependsOn: [...nsReady] },
      );
      // Cluster-scoped, so named after the stack to keep clear of other Filebeats.
      const clusterRole = new k8s.rbac.v1.ClusterRole(
        `${name}-filebeat-role`,
        {
          metadata: { name: "observability-filebeat", labels: { ...STACK_LABELS } },
          rules: FILEBEAT_CLUSTER_RULES,
        },
        { parent: this },
      );
      const binding = new k8s.rbac.v1.ClusterRoleBinding(
        `${name}-filebeat-binding`,
        {
          metadata: { name: "observability-filebeat", labels: { ...STACK_LABELS } },
          roleRef: {
            apiGroup: "rbac.authorization.k8s.io",
            kind: "ClusterRole",
            name: "observability-filebeat",
          },
          subjects: [{ kind: "ServiceAccount", name: FILEBEAT_SERVICE_ACCOUNT, namespace: nsName }],
        },
        { parent: this, dependsOn: [clusterRole, serviceAccount] },
      );
      this.filebeat = custom(
        `${name}-filebeat`,
        filebeatManifest({ elastic, namespace: nsName, resources: config.resources, images: config.images }),
        [this.elasticsearch, this.ilmJob, serviceAccount, binding],
      );
    }

    if (args.grafanaNamespace !== undefined && readerPassword !== undefined) {
      const grafanaNamespace = args.grafanaNamespace;
      const caCopy = copyCa(
        { reader: "grafana", namespace: grafanaNamespace.name, ...GRAFANA_CA_COPY },
        grafanaNamespace,
      );
      // The helper names the Secret after the resource, so the name is the fixed one. It comes
      // after the CA's copy, so Grafana's sidecar writes the CA file before the datasource reading it.
      datasourceSecret(
        GRAFANA_DATASOURCE_SECRET,
        {
          namespace: grafanaNamespace.resource.metadata.name,
          datasources: readerPassword.apply((p) => [elasticsearchDatasource(nsName, p)]),
        },
        { parent: this, dependsOn: [...grafanaNamespace.ready, caCopy] },
      );
    }

    this.endpoints = {
      namespace: nsName,
      elasticsearch: {
        service: ELASTICSEARCH_SERVICE,
        url: elasticsearchUrl(nsName),
        elasticUserSecret: { ...ELASTIC_USER_SECRET },
        caSecret: { ...ELASTICSEARCH_CA_SECRET },
        logDataStream: LOG_DATA_STREAM,
        ilmPolicy: ILM_POLICY,
      },
      kibana: {
        service: KIBANA_SERVICE,
        portForward: `kubectl -n ${nsName} port-forward svc/${KIBANA_SERVICE} 5601:5601`,
        url: "https://localhost:5601",
      },
    };
    this.registerOutputs({ cluster: ELASTICSEARCH_NAME, endpoints: this.endpoints });
  }
}
