// ACI documents to ContainerGroups: the YAML files of `az container create -f`, ARM templates and
// REST request bodies (as azure-rest-api-specs examples wrap them). Pure: text in, groups and
// warnings out. Malformed input throws an AciImportError naming the field; nothing half-converted
// is ever returned.

import { parse as parseYaml } from "yaml";
import { API_VERSION, KIND } from "../api/constants.js";
import type { ContainerGroup } from "../api/types.js";
import { asRecord, isUnresolved, TemplateEvaluator } from "./arm-template.js";
import { convertSpec, reportUnread } from "./convert.js";
import { AciImportError, type ImportWarning } from "./errors.js";
import { describe, Fields, ImportContext, type SecretKeyToCreate, text } from "./fields.js";
import { stripJsonComments } from "./jsonc.js";
import { isGroupName, toDnsLabel } from "./names.js";
import { UNMAPPED } from "./unmapped.js";

export type { ImportWarning } from "./errors.js";
export { AciImportError } from "./errors.js";
export type { SecretKeyToCreate } from "./fields.js";

/** ACI tags have no place in the spec; they travel as this annotation (a JSON object). */
export const TAGS_ANNOTATION = "containerinstances.dev/aci-tags";

export const CONTAINER_GROUP_TYPE = "Microsoft.ContainerInstance/containerGroups";

export type DocumentKind = "yaml" | "arm-template" | "rest-body";

export interface ImportOptions {
  /** ARM template parameter values, as strings; converted to each parameter's declared type. */
  parameters?: Record<string, string>;
  /** The namespace of the groups (also resourceGroup().name in templates). Default "default". */
  namespace?: string;
  /** Where the text came from (a file name), for messages only. */
  source?: string;
  /** The group's name, overriding the document's (`az container create -n`); single-group documents only. */
  name?: string;
}

export interface ImportResult {
  kind: DocumentKind;
  groups: ContainerGroup[];
  /**
   * Secret keys the groups refer to but the document could not supply (secure values from
   * listKeys(), secure parameters not given, empty export placeholders). Create them before the
   * groups can start; each also has a warning.
   */
  secretKeys: SecretKeyToCreate[];
  warnings: ImportWarning[];
}

/** One container group found in a document, before conversion. */
interface RawGroup {
  /** Path prefix of the group's fields: "" for YAML, `resources[2]` for templates, ... */
  prefix: string;
  resource: Fields;
  /** A name from outside the resource (a REST example's parameters.containerGroupName). */
  name?: { value: unknown; path: string };
  /** Zones from outside the resource (a REST example's parameters.zones). */
  zones?: { value: unknown; path: string };
}

export function importAciDocument(text: string, options: ImportOptions = {}): ImportResult {
  const ctx = new ImportContext();
  const document = parseDocument(text, options.source);
  const kind = detectKind(document);
  const namespace = options.namespace ?? "default";
  let raws: RawGroup[];
  if (kind === "arm-template") raws = templateGroups(ctx, document, options, namespace);
  else {
    if (options.parameters && Object.keys(options.parameters).length > 0) {
      throw new AciImportError(
        "",
        "parameters are for ARM templates; this document is not one (remove them)",
      );
    }
    raws = kind === "rest-body" ? restGroups(ctx, document) : [yamlGroup(ctx, document)];
  }
  if (raws.length === 0) {
    throw new AciImportError("resources", `the template holds no resource of type ${CONTAINER_GROUP_TYPE}`);
  }
  if (options.name !== undefined && raws.length > 1) {
    throw new AciImportError(
      "",
      `a name can only be given for a document with one group; this one has ${raws.length}`,
    );
  }
  const groups = raws.map((raw) => convertGroup(ctx, raw, namespace, options.name));
  const seen = new Set<string>();
  for (const group of groups) {
    const name = group.metadata.name!;
    if (seen.has(name))
      throw new AciImportError("", `two groups are named "${name}"; names must be unique in a namespace`);
    seen.add(name);
  }
  return { kind, groups, secretKeys: ctx.secretKeys, warnings: ctx.warnings };
}

function parseDocument(text: string, source: string | undefined): Record<string, unknown> {
  const where = source ? `${source}: ` : "";
  const trimmed = text.trimStart();
  let value: unknown;
  if (trimmed.startsWith("{") || trimmed.startsWith("//") || trimmed.startsWith("/*")) {
    try {
      value = JSON.parse(stripJsonComments(text));
    } catch (error) {
      throw new AciImportError("", `${where}not valid JSON: ${(error as Error).message}`);
    }
  } else {
    try {
      // YAML 1.2 with 1.1's timestamps: az (PyYAML) reads an unquoted 2019-12-01 as a date, and
      // so does this; the rest of 1.1 (a bare `.` as NaN, `yes` as true) stays out, so a document
      // written by any YAML library reads back as written. fields.boolean() accepts yes/no.
      value = parseYaml(text, { customTags: ["timestamp"] });
    } catch (error) {
      throw new AciImportError("", `${where}not valid YAML: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new AciImportError(
      "",
      `${where}expected an ACI document (an object with properties), got ${describe(value)}`,
    );
  }
  return value as Record<string, unknown>;
}

function detectKind(document: Record<string, unknown>): DocumentKind {
  const fields = new Fields(document, "");
  const schema = fields.get("$schema");
  if (
    (typeof schema === "string" && /deploymentTemplate/i.test(schema)) ||
    fields.get("resources") !== undefined
  ) {
    return "arm-template";
  }
  if (fields.object("parameters").get("containerGroup") !== undefined) return "rest-body";
  const apiVersion = fields.get("apiVersion");
  if (typeof apiVersion === "string" && apiVersion.toLowerCase().startsWith("containerinstances.dev/")) {
    throw new AciImportError(
      "apiVersion",
      `this is a ${KIND} manifest already; apply it with kubectl apply -f`,
    );
  }
  if (fields.get("properties") === undefined) {
    throw new AciImportError(
      "properties",
      "is missing: expected an ACI YAML document (apiVersion, name, properties), an ARM template (resources) or a REST body (properties, or parameters.containerGroup)",
    );
  }
  return fields.get("apiVersion", "api-version") !== undefined ? "yaml" : "rest-body";
}

// --- the three kinds of document -------------------------------------------------------------------

function yamlGroup(ctx: ImportContext, document: Record<string, unknown>): RawGroup {
  const resource = new Fields(document, "");
  checkApiVersion(ctx, resource);
  return { prefix: "", resource };
}

function checkApiVersion(ctx: ImportContext, resource: Fields): void {
  const key = resource.get("apiVersion") !== undefined ? "apiVersion" : "api-version";
  const value = resource.get(key);
  if (value === undefined || value === null) return;
  // YAML reads an unquoted 2019-12-01 as a date: take its calendar day back.
  const version = value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
  const match = /^(\d{4})-(\d{2})-(\d{2})(-preview)?$/i.exec(version.trim());
  if (!match) {
    throw new AciImportError(
      resource.at(key),
      `expected an ACI API version such as 2023-05-01, got ${describe(value)}`,
    );
  }
  const year = Number(match[1]);
  if (year < 2017 || year > 2026) {
    ctx.warn(
      resource.at(key),
      `API version ${version} is not one this importer knows (2017 to 2026); converted as a current one`,
    );
  }
}

function restGroups(ctx: ImportContext, document: Record<string, unknown>): RawGroup[] {
  const top = new Fields(document, "");
  const parameters = top.object("parameters");
  if (parameters.get("containerGroup") === undefined) return [{ prefix: "", resource: top }];
  const name = parameters.get("containerGroupName");
  const zones = parameters.get("zones");
  // Everything else in an example (responses, operationId, subscriptionId, ...) is about the call.
  void ctx;
  return [
    {
      prefix: "parameters.containerGroup",
      resource: parameters.object("containerGroup"),
      ...(name !== undefined ? { name: { value: name, path: parameters.at("containerGroupName") } } : {}),
      ...(zones !== undefined ? { zones: { value: zones, path: parameters.at("zones") } } : {}),
    },
  ];
}

function templateGroups(
  ctx: ImportContext,
  document: Record<string, unknown>,
  options: ImportOptions,
  namespace: string,
): RawGroup[] {
  const template = new Fields(document, "");
  const evaluator = new TemplateEvaluator(document, { parameters: options.parameters ?? {}, namespace });
  const resourcesValue = template.get("resources");
  // languageVersion 2.0 templates keep resources in an object keyed by symbolic name.
  const entries: [string, unknown][] = Array.isArray(resourcesValue)
    ? resourcesValue.map((r, i) => [`resources[${i}]`, r])
    : Object.entries(asRecord(resourcesValue)).map(([k, r]) => [`resources.${k}`, r]);
  const groups: RawGroup[] = [];
  for (const [path, raw] of entries) {
    const resource = Fields.of(raw, path);
    const type = text(resource.at("type"), evaluator.evaluateTree(resource.get("type"), resource.at("type")));
    if (type?.toLowerCase() !== CONTAINER_GROUP_TYPE.toLowerCase()) {
      const name = resource.get("name");
      ctx.warn(
        path,
        `${type ?? "a resource without a type"}${typeof name === "string" ? ` ${name}` : ""} is not a container group and is skipped; create it in Azure, or its Kubernetes equivalent, separately`,
      );
      continue;
    }
    const expand = (index: number | undefined, loop: string, at: string): void => {
      const evaluate = (): RawGroup | undefined => {
        const condition = resource.get("condition");
        if (condition !== undefined) {
          const test = evaluator.evaluateTree(condition, resource.at("condition"));
          if (isUnresolved(test)) {
            throw new AciImportError(
              resource.at("condition"),
              `${test.expression} cannot be evaluated offline: ${test.reason}`,
            );
          }
          if (test === false) {
            ctx.warn(at, "the resource's condition is false; it is not deployed and not converted");
            return undefined;
          }
        }
        const evaluated: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(resource.raw)) {
          if (["copy", "condition", "dependson", "apiversion", "comments"].includes(key.toLowerCase()))
            continue;
          evaluated[key] = evaluator.evaluateTree(value, `${at}.${key}`);
        }
        return { prefix: at, resource: new Fields(evaluated, at) };
      };
      const group = index === undefined ? evaluate() : evaluator.withCopyIndex(loop, index, evaluate);
      if (group) groups.push(group);
    };
    const copy = resource.get("copy");
    if (copy === undefined) {
      expand(undefined, "", path);
    } else {
      const c = Fields.of(copy, resource.at("copy"));
      const count = evaluator.evaluateTree(c.get("count"), c.at("count"));
      if (typeof count !== "number" || !Number.isInteger(count) || count < 0) {
        throw new AciImportError(c.at("count"), `expected a whole number of copies, got ${describe(count)}`);
      }
      for (let i = 0; i < count; i++) expand(i, String(c.get("name") ?? ""), `${path}<copy ${i}>`);
    }
  }
  return groups;
}

// --- the resource around the properties ------------------------------------------------------------

function convertGroup(
  ctx: ImportContext,
  raw: RawGroup,
  namespace: string,
  nameOverride?: string,
): ContainerGroup {
  const r = raw.resource;
  const name = groupName(ctx, raw, nameOverride);
  const location = r.get("location");
  if (location !== undefined && location !== null && location !== "") {
    ctx.warn(r.at("location"), UNMAPPED.location!);
  }
  const identity = r.get("identity");
  if (identity !== undefined && identity !== null) ctx.warn(r.at("identity"), UNMAPPED.identity!);
  const annotations: Record<string, string> = {};
  const tags = r.get("tags");
  if (isUnresolved(tags)) {
    ctx.warn(
      r.at("tags"),
      `${tags.expression} cannot be evaluated offline (${tags.reason}); the tags are left out`,
    );
  } else if (tags !== undefined && tags !== null && Object.keys(asRecord(tags)).length > 0) {
    annotations[TAGS_ANNOTATION] = JSON.stringify(tags);
    ctx.warn(
      r.at("tags"),
      `tags are kept as the annotation ${TAGS_ANNOTATION} (a JSON object), and exported back as tags; copy the ones you select by into labels`,
    );
  }
  const zones =
    raw.zones ?? (r.get("zones") !== undefined ? { value: r.get("zones"), path: r.at("zones") } : undefined);
  const spec = convertSpec(ctx, { groupName: name, properties: r.object("properties"), zones });
  r.skip("name", "type", "apiVersion", "api-version", "kind", "$schema", ...["id", "etag", "systemData"]);
  reportUnread(ctx, r);
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name, namespace, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
    spec,
  };
}

/**
 * The group's name as a Kubernetes name: lowercased and cleaned with a warning when the
 * document's is not one (ACI documents such as `myContainerGroup` are common), an error when
 * nothing is left or there is no name at all.
 */
function groupName(ctx: ImportContext, raw: RawGroup, override?: string): string {
  const r = raw.resource;
  const source =
    override !== undefined
      ? { value: override, path: "name" }
      : (raw.name ?? { value: r.get("name"), path: r.at("name") });
  if (isUnresolved(source.value)) {
    throw new AciImportError(
      source.path,
      `${source.value.expression} cannot be evaluated offline: ${source.value.reason}`,
    );
  }
  const name = text(source.path, source.value);
  if (!name)
    throw new AciImportError(source.path, "the group has no name; give one (az container create -n)");
  if (isGroupName(name)) return name;
  const normalised = toDnsLabel(name, true);
  if (!normalised) {
    throw new AciImportError(
      source.path,
      `"${name}" cannot be made a Kubernetes name (lowercase letters, digits, '-', starting with a letter)`,
    );
  }
  ctx.warn(
    source.path,
    `the group name "${name}" is not a Kubernetes name (lowercase DNS label); it becomes "${normalised}"`,
  );
  return normalised;
}
