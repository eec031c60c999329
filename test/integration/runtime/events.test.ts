import type { KubernetesListObject, KubernetesObject, V1ConfigMap } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeClient } from "../../../src/runtime/apply.js";
import { EventRecorder } from "../../../src/runtime/events.js";
import { createNamespace, deleteNamespace, kubectlOk, loadKubeConfig } from "../harness.js";

interface EventsV1Event extends KubernetesObject {
  reason?: string;
  note?: string;
  reportingController?: string;
  regarding?: { uid?: string; kind?: string; name?: string };
  series?: { count?: number; lastObservedTime?: string };
}

describe("EventRecorder against the API server", () => {
  let client: KubeClient;
  let namespace: string;
  let subject: V1ConfigMap;

  beforeAll(async () => {
    client = new KubeClient(loadKubeConfig());
    namespace = await createNamespace("rt-events");
    subject = await client.apply<V1ConfigMap>(
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "subject", namespace }, data: {} },
      { fieldManager: "runtime-events-test" },
    );
  });

  afterAll(async () => {
    await deleteNamespace(namespace);
  });

  const eventsAbout = async (uid: string | undefined) => {
    const list = await client.getPath<KubernetesListObject<EventsV1Event>>(
      `/apis/events.k8s.io/v1/namespaces/${namespace}/events`,
      { fieldSelector: `regarding.uid=${uid}` },
    );
    return list.items;
  };

  it("creates one Event, then bumps its series count on a repeat, visible to kubectl describe", async () => {
    const recorder = new EventRecorder({
      client,
      reportingController: "runtime-test.example.com/recorder",
      reportingInstance: "test-0",
    });
    const event = {
      type: "Warning",
      reason: "SubjectBroken",
      action: "Checking",
      note: "the subject is broken",
    } as const;

    recorder.record(subject, event);
    await recorder.flush();
    const first = await eventsAbout(subject.metadata?.uid);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      reason: "SubjectBroken",
      note: "the subject is broken",
      reportingController: "runtime-test.example.com/recorder",
      regarding: { kind: "ConfigMap", name: "subject", uid: subject.metadata?.uid },
    });
    expect(first[0]?.series).toBeUndefined();

    recorder.record(subject, event);
    await recorder.flush();
    const second = await eventsAbout(subject.metadata?.uid);
    expect(second).toHaveLength(1);
    expect(second[0]?.metadata?.name).toBe(first[0]?.metadata?.name);
    expect(second[0]?.series?.count).toBe(2);

    const described = await kubectlOk(["describe", "configmap", "subject", "-n", namespace]);
    expect(described).toMatch(/Warning\s+SubjectBroken/);
    expect(described).toContain("the subject is broken");
  });
});
