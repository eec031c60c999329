// Kubernetes names for ACI names. ACI group, container and volume names are mostly DNS labels
// already, but published documents use names such as `myContainerGroup`. The importer normalises
// them (lowercase, other characters to '-') and warns, rather than refusing a document that ACI
// itself accepts; a name with nothing usable left is an error.

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Group names must also start with a letter (the CRD's rule on metadata.name). */
const GROUP_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

export function isDnsLabel(name: string): boolean {
  return name.length <= 63 && DNS_LABEL.test(name);
}

export function isGroupName(name: string): boolean {
  return name.length <= 63 && GROUP_NAME.test(name);
}

/** The closest DNS label, or "" when nothing usable is left. */
export function toDnsLabel(name: string, mustStartWithLetter = false): string {
  let label = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-");
  if (mustStartWithLetter) label = label.replace(/^[^a-z]+/, "");
  label = label.replace(/^-+/, "").slice(0, 63).replace(/-+$/, "");
  return label;
}
