// The export writes what `az container export` writes, never a secure value, and imports back to
// the same spec.

import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import {
  ACI_API_VERSION,
  exportAciYaml,
  exportAciYamlString,
  extensionFields,
} from "../../../src/aci/export.js";
import { importAciDocument, TAGS_ANNOTATION } from "../../../src/aci/import.js";
import type { ContainerGroup } from "../../../src/api/types.js";
import { SECRETS, theContractExample } from "../fixtures.js";
import { withCrdDefaults } from "./crd-defaults.js";

const examplesDir = fileURLToPath(new URL("../../../examples/", import.meta.url));

function example(file: string): ContainerGroup {
  const manifest = parse(readFileSync(examplesDir + file, "utf8")) as ContainerGroup;
  return { ...manifest, spec: withCrdDefaults(manifest.spec) };
}

function hasSecureValue(group: ContainerGroup): boolean {
  const spec = group.spec;
  return (
    [...spec.containers, ...(spec.initContainers ?? [])].some((c) =>
      c.environmentVariables?.some((e) => e.secureValue !== undefined),
    ) ||
    (spec.imageRegistryCredentials ?? []).some((c) => c.password !== undefined) ||
    (spec.volumes ?? []).some((v) => v.azureFile !== undefined || v.secret !== undefined)
  );
}

function roundTrip(group: ContainerGroup, options: Parameters<typeof exportAciYaml>[1] = {}) {
  return importAciDocument(exportAciYamlString(group, options), { namespace: "demo" });
}

const examples = readdirSync(examplesDir).filter((f) => f.endsWith(".yaml"));

describe("exportAciYaml", () => {
  it("writes az container export's shape: apiVersion, name, properties, type, and no location by default", () => {
    const document = exportAciYaml(example("public-web-server.yaml"));
    expect(Object.keys(document)).toEqual(["apiVersion", "name", "properties", "type"]);
    expect(document.apiVersion).toBe(ACI_API_VERSION);
    expect(document.type).toBe("Microsoft.ContainerInstance/containerGroups");
    expect(document.properties.containers).toEqual([
      {
        name: "web",
        properties: {
          image: "mcr.microsoft.com/azuredocs/aci-helloworld:latest",
          ports: [{ port: 80, protocol: "TCP" }],
          resources: { requests: { cpu: 1, memoryInGB: 1.5 } },
        },
      },
    ]);
    expect(exportAciYaml(example("public-web-server.yaml"), { location: "westeurope" }).location).toBe(
      "westeurope",
    );
  });

  it("never exports a secure value: env, registry password, account key, secret files", () => {
    const text = exportAciYamlString(theContractExample());
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
    const document = parse(text);
    expect(document.properties.containers[0].properties.environmentVariables[1]).toEqual({
      name: "TOKEN",
      secureValue: "",
    });
    expect(document.properties.imageRegistryCredentials[0]).toEqual({
      server: "registry.example.net",
      username: "bot",
      password: "",
    });
    expect(document.properties.volumes[0].azureFile).toEqual({
      shareName: "data",
      storageAccountName: "acct",
      readOnly: false,
    });
    expect(document.properties.volumes[2].secret).toEqual({ "app.conf": "" });
    expect(text).not.toMatch(/instanceView|provisioningState/);
  });

  it("exports the tags annotation as tags, and imports them back to it", () => {
    const group = example("run-once.yaml");
    group.metadata.annotations = { [TAGS_ANNOTATION]: JSON.stringify({ team: "data", "cost center": "42" }) };
    expect(exportAciYaml(group).tags).toEqual({ team: "data", "cost center": "42" });
    const back = roundTrip(group);
    expect(back.groups[0]!.metadata.annotations).toEqual(group.metadata.annotations);
    expect(back.warnings.map((w) => w.path)).toEqual(["tags"]);
  });

  it.each(examples)("round trip: %s imports back to the same spec", (file) => {
    const group = example(file);
    if (hasSecureValue(group)) return; // secure values are never exported; see the next tests
    const result = roundTrip(group);
    expect(result.groups[0]!.spec).toEqual(group.spec);
    expect(result.groups[0]!.metadata.name).toBe(group.metadata.name);
    expect(result.warnings).toEqual([]);
  });

  it("keeps extension fields under x- keys by default, so they survive the round trip", () => {
    const group = example("private-group.yaml");
    expect(extensionFields(group)).toEqual([
      "spec.serviceAccountName",
      "spec.imageRegistryCredentials[0].passwordSecretRef",
    ]);
    const document = exportAciYaml(group);
    expect(document.properties["x-serviceAccountName"]).toBe("internal-api");
    expect(roundTrip(group).groups[0]!.spec).toEqual(group.spec);
  });

  it('drops extension fields with extensions: "drop", for a document meant for Azure', () => {
    for (const file of ["private-group.yaml", "file-share.yaml", "confidential.yaml"]) {
      const group = example(file);
      expect(extensionFields(group).length).toBeGreaterThan(0);
      expect(stringify(exportAciYaml(group, { extensions: "drop" }))).not.toContain("x-");
    }
  });

  it("a stopped group and a seccomp profile object travel as x-stopped and x-seccompProfile", () => {
    const group = example("confidential.yaml");
    group.spec.stopped = true;
    const document = exportAciYaml(group);
    expect(document.properties["x-stopped"]).toBe(true);
    expect(roundTrip(group).groups[0]!.spec).toEqual(group.spec);
  });

  it("secure placeholders import back as references to Secret keys the user fills in", () => {
    const group = example("secret-volume.yaml");
    group.spec.volumes = [];
    group.spec.containers[0]!.volumeMounts = [];
    const result = roundTrip(group);
    expect(result.groups[0]!.spec.containers[0]!.environmentVariables).toEqual([
      { name: "MODE", value: "production" },
      {
        name: "API_TOKEN",
        secureValueFrom: { secretKeyRef: { name: "secret-files-aci-secrets", key: "app.API_TOKEN" } },
      },
      { name: "DB_PASSWORD", secureValueFrom: { secretKeyRef: { name: "db", key: "password" } } },
    ]);
    expect(result.secretKeys).toEqual([
      {
        secret: "secret-files-aci-secrets",
        key: "app.API_TOKEN",
        path: "properties.containers[0].properties.environmentVariables[1].secureValue",
      },
    ]);
  });

  it("an exported azureFile volume needs its key written back in before it imports", () => {
    expect(() => roundTrip(example("azure-files.yaml"))).toThrow(
      "properties.volumes[0].azureFile.storageAccountKey: the storage account's key is missing",
    );
  });
});
