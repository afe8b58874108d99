import { convexTest } from "convex-test";
import { expect, test } from "vitest";
import { api, internal } from "./_generated/api";
import schema from "./schema";

const modules = import.meta.glob(["./**/*.*s", "!./**/*.*.*s"]);

test("a key made with access:createKey identifies its user and label", async () => {
  const t = convexTest(schema, modules);
  const { key } = await t.mutation(internal.access.createKey, { user: "me", label: "laptop" });
  expect(await t.query(api.access.whoami, { accessKey: key })).toEqual({ user: "me", label: "laptop" });
});
