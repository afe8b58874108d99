import { describe, expect, test } from "vitest";
import { api, internal } from "./_generated/api";
import * as access from "./access";
import { accessKey, expectRefused, newBackend, refusal, TABLES } from "./fixtures.testing";

describe("access keys", () => {
  test("a key made with access:createKey is ak_ and 43 base64url characters, and identifies its user and label", async () => {
    const t = newBackend();
    const { key } = await t.mutation(internal.access.createKey, { user: "me", label: "laptop" });

    expect(key).toMatch(/^ak_[A-Za-z0-9_-]{43}$/);
    expect(await t.query(api.access.whoami, { accessKey: key })).toEqual({ user: "me", label: "laptop" });
  });

  test("keys are stored only as their SHA-256, and listKeys shows users, labels and dates, never keys", async () => {
    const t = newBackend();
    const laptop = await accessKey(t, "me", "laptop");
    const phone = await accessKey(t, "me", "phone");
    await accessKey(t, "you", "desk");

    const listed = await t.query(internal.access.listKeys, {});
    const stored = JSON.stringify(await t.run(async (ctx) => Promise.all(TABLES.map((table) => ctx.db.query(table).collect()))));

    expect(listed.map(({ user, label, revokedAt }) => ({ user, label, revokedAt }))).toEqual([
      { user: "me", label: "laptop", revokedAt: null },
      { user: "me", label: "phone", revokedAt: null },
      { user: "you", label: "desk", revokedAt: null },
    ]);
    for (const key of [laptop, phone]) {
      expect(JSON.stringify(listed)).not.toContain(key.slice(3));
      expect(stored).not.toContain(key.slice(3));
    }
  });

  test("a revoked key is UNAUTHORIZED at once; the user's other keys keep working", async () => {
    const t = newBackend();
    const laptop = await accessKey(t, "me", "laptop");
    const phone = await accessKey(t, "me", "phone");

    expect(await t.mutation(internal.access.revokeKey, { user: "me", label: "laptop" })).toEqual({ revoked: 1 });

    const { code, message } = await refusal(t.query(api.access.whoami, { accessKey: laptop }));
    expect({ code, message }).toEqual({ code: "UNAUTHORIZED", message: "unknown or revoked access key" });
    expect(await t.query(api.access.whoami, { accessKey: phone })).toEqual({ user: "me", label: "phone" });
    expect((await t.query(internal.access.listKeys, {}))[0].revokedAt).toEqual(expect.any(Number));
  });

  test("a second live key with the same label is refused; after revoking, the label can be reused", async () => {
    const t = newBackend();
    await accessKey(t, "me", "laptop");

    await expectRefused(t.mutation(internal.access.createKey, { user: "me", label: "laptop" }), "INVALID_ARGUMENT");
    await t.mutation(internal.access.revokeKey, { user: "me", label: "laptop" });
    const again = await accessKey(t, "me", "laptop");

    expect(await t.query(api.access.whoami, { accessKey: again })).toEqual({ user: "me", label: "laptop" });
  });

  test("users do not see each other's machines", async () => {
    const t = newBackend();
    const mine = await accessKey(t, "me");
    const yours = await accessKey(t, "you");
    await t.mutation(api.machines.create, { accessKey: mine, name: "mine" });

    expect(await t.query(api.machines.list, { accessKey: yours })).toEqual([]);
  });

  test("key management is internal: no client can call createKey, listKeys or revokeKey", () => {
    const visibility = (fn: unknown) => {
      const flags = fn as { isPublic?: boolean; isInternal?: boolean };
      return { isPublic: flags.isPublic === true, isInternal: flags.isInternal === true };
    };
    for (const fn of [access.createKey, access.listKeys, access.revokeKey]) {
      expect(visibility(fn)).toEqual({ isPublic: false, isInternal: true });
    }
    expect(visibility(access.whoami)).toEqual({ isPublic: true, isInternal: false });
  });

  test("keys are different every time", async () => {
    const t = newBackend();
    const keys = new Set<string>();
    for (let i = 0; i < 20; i++) {
      keys.add(await accessKey(t, "me", `device ${i}`));
    }
    expect(keys.size).toBe(20);
  });
});
