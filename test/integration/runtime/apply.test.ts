import type { KubernetesObject, V1ConfigMap } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorMessage, isConflict, isInvalid, isNotFound, KubeClient } from "../../../src/runtime/apply.js";
import {
  createNamespace,
  deleteNamespace,
  eventually,
  kubectl,
  kubectlOk,
  loadKubeConfig,
} from "../harness.js";

const FIELD_MANAGER = "runtime-apply-test";
const GROUP = "runtime-test.example.com";
const CRD_NAME = `widgets.${GROUP}`;

/** A throwaway CRD with a status subresource, to prove applyStatus reaches `/status`. */
const WIDGET_CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${CRD_NAME}
spec:
  group: ${GROUP}
  scope: Namespaced
  names: { plural: widgets, singular: widget, kind: Widget, listKind: WidgetList }
  versions:
    - name: v1
      served: true
      storage: true
      subresources: { status: {} }
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: { type: integer, minimum: 1 }
            status:
              type: object
              properties:
                phase: { type: string }
`;

interface Widget extends KubernetesObject {
  spec?: { size?: number };
  status?: { phase?: string };
}

describe("KubeClient against the API server", () => {
  let client: KubeClient;
  let namespace: string;
  const requests: Array<[string, number | string]> = [];

  beforeAll(async () => {
    client = new KubeClient(loadKubeConfig(), {
      metrics: { recordRestClientRequest: (method, code) => requests.push([method, code]) },
    });
    namespace = await createNamespace("rt-apply");
    await kubectlOk(["apply", "--server-side", "-f", "-"], { input: WIDGET_CRD });
    await kubectlOk(["wait", "--for=condition=Established", "--timeout=60s", `crd/${CRD_NAME}`]);
  });

  afterAll(async () => {
    await kubectl(["delete", "crd", CRD_NAME, "--ignore-not-found", "--wait=false"]);
    await deleteNamespace(namespace);
  });

  const configMap = (value: string): V1ConfigMap => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "applied", namespace },
    data: { value },
  });

  it("creates with apply, then writes nothing when the same object is applied again", async () => {
    const created = await client.apply(configMap("1"), { fieldManager: FIELD_MANAGER });
    expect(created.metadata?.uid).toBeTruthy();
    const again = await client.apply(configMap("1"), { fieldManager: FIELD_MANAGER });
    expect(again.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
    const changed = await client.apply(configMap("2"), { fieldManager: FIELD_MANAGER });
    expect(changed.metadata?.resourceVersion).not.toBe(created.metadata?.resourceVersion);
    expect(changed.metadata?.managedFields?.[0]?.manager).toBe(FIELD_MANAGER);
    expect(changed.metadata?.managedFields?.[0]?.operation).toBe("Apply");
    expect(requests).toContainEqual(["PATCH", 200]);
  });

  it("applies a custom resource's status through the status subresource", async () => {
    const widget: Widget = {
      apiVersion: `${GROUP}/v1`,
      kind: "Widget",
      metadata: { name: "w1", namespace },
      spec: { size: 3 },
    };
    // Discovery of a group created a moment ago can lag; the first apply retries until it is served.
    await eventually("the Widget apply", () => client.apply(widget, { fieldManager: FIELD_MANAGER }));
    const ignoredStatus = await client.apply(
      { ...widget, status: { phase: "Ignored" } },
      { fieldManager: FIELD_MANAGER },
    );
    expect(ignoredStatus.status).toBeUndefined(); // the main resource ignores status

    const statusOnly: Widget = {
      apiVersion: widget.apiVersion,
      kind: "Widget",
      metadata: widget.metadata,
      status: { phase: "Ready" },
    };
    const withStatus = await client.applyStatus(statusOnly, { fieldManager: FIELD_MANAGER });
    expect(withStatus.status?.phase).toBe("Ready");
    expect(withStatus.spec?.size).toBe(3);
    const again = await client.applyStatus(statusOnly, { fieldManager: FIELD_MANAGER });
    expect(again.metadata?.resourceVersion).toBe(withStatus.metadata?.resourceVersion);

    const read = await client.get<Widget>(widget);
    expect(read.status?.phase).toBe("Ready");
  });

  it("reports schema violations as 422 with the API server's message", async () => {
    const bad = {
      apiVersion: `${GROUP}/v1`,
      kind: "Widget",
      metadata: { name: "bad", namespace },
      spec: { size: 0 },
    };
    const error = await client.apply(bad, { fieldManager: FIELD_MANAGER }).catch((e: unknown) => e);
    expect(isInvalid(error)).toBe(true);
    expect(errorMessage(error)).toMatch(/spec\.size/);
    // (A wrong type, `size: "three"`, fails earlier, in building the apply patch, and comes back as 500.)
  });

  it("creates, and deletes only the object with the expected uid", async () => {
    const fresh: V1ConfigMap = { ...configMap("x"), metadata: { name: "created", namespace } };
    const created = await client.create(fresh, { fieldManager: FIELD_MANAGER });
    const duplicate = await client.create(fresh).catch((e: unknown) => e);
    expect(isConflict(duplicate)).toBe(true); // AlreadyExists is a 409
    expect(requests).toContainEqual(["POST", 201]);
    expect(requests).toContainEqual(["POST", 409]);

    const wrongUid = await client
      .delete(created, { uid: "00000000-0000-0000-0000-000000000000" })
      .catch((e: unknown) => e);
    expect(isConflict(wrongUid)).toBe(true);
    expect(errorMessage(wrongUid)).toMatch(/precondition/i);

    await client.delete(created, { uid: created.metadata?.uid, propagationPolicy: "Background" });
    const gone = await client.get(created).catch((e: unknown) => e);
    expect(isNotFound(gone)).toBe(true);
    expect(errorMessage(gone)).toBe('configmaps "created" not found');
    expect(await client.getIfExists(created)).toBeUndefined();
  });
});
