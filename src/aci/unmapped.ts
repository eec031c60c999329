// ACI fields with no place in a ContainerGroup: what the group does instead and what the user can
// do. One warning per field present in the document; the table is keyed by the field's path with
// list indexes removed, lower-cased (`properties.containers[].properties.configmap`).

export const UNMAPPED: Record<string, string> = {
  location:
    "location is not used: the group runs where the cluster runs. To choose where in the cluster, use zones (node affinity on topology.kubernetes.io/zone).",
  identity:
    "managed identities have no counterpart: the group's identity is a Kubernetes ServiceAccount. Set spec.serviceAccountName (and use workload identity on the cluster for access to Azure).",
  "properties.subnetids":
    "virtual network placement has no counterpart: the group runs on the cluster's network. Set ipAddress.type Private for a cluster-internal (ClusterIP) Service; the operator's NetworkPolicy limits ingress to the group's ports.",
  "properties.networkprofile":
    "network profiles have no counterpart: the group runs on the cluster's network. Set ipAddress.type Private for a cluster-internal (ClusterIP) Service.",
  "properties.diagnostics":
    "Log Analytics settings are not per group: container logs go to the cluster's logging; read them with kubectl logs.",
  "properties.encryptionproperties":
    "customer-managed keys are not per group: use the cluster's encryption of Secrets and volumes.",
  "properties.confidentialcomputeproperties":
    "the CCE policy is not enforced: sku Confidential runs the group in a confidential VM through the operator's confidential RuntimeClass, without a per-group policy.",
  "properties.extensions":
    "ACI extensions (kube-proxy, realtime, ...) have no counterpart and are dropped; a group's Service is reachable in the cluster already.",
  "properties.containergroupprofile":
    "container group profiles have no counterpart: the document's own properties are converted; copy the profile's fields into it.",
  "properties.standbypoolprofile": "standby pools have no counterpart: Pods start on demand.",
  "properties.ipaddress.ip":
    "fixed IP addresses are not supported: the Service gets an address from the cluster. Use dnsNameLabel for a stable name.",
  "properties.containers[].properties.configmap":
    "container config maps have no counterpart: use environmentVariables or a secret volume.",
  "properties.containers[].properties.securitycontext.seccompprofile":
    "ACI's seccomp profile (a base64 document) is not applied: set securityContext.seccompProfile to RuntimeDefault or a Localhost profile on the nodes.",
  "properties.initcontainers[].properties.securitycontext.seccompprofile":
    "ACI's seccomp profile (a base64 document) is not applied: set securityContext.seccompProfile to RuntimeDefault or a Localhost profile on the nodes.",
};

/** Output-only fields of REST responses and `az container show`: skipped without a warning. */
export const READ_ONLY = [
  "instanceView",
  "provisioningState",
  "events",
  "fqdn",
  "isCreatedFromStandbyPool",
  "id",
  "etag",
  "systemData",
];

export function unmappedMessage(path: string): string {
  // Paths start at the document; the table starts at the group resource.
  const key = path
    .replace(/^(resources(\[\d+\]|\.[\w$-]+)(<copy \d+>)?|parameters\.containerGroup)\./, "")
    .replace(/\[\d+\]/g, "[]")
    .replace(/\['([^']*)'\]/g, ".$1")
    .toLowerCase();
  return UNMAPPED[key] ?? "this field has no counterpart in a ContainerGroup and is dropped.";
}
