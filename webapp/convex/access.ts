import { v } from "convex/values";
import { internalMutation, internalQuery, query } from "./_generated/server";
import { userCredentials } from "./lib/args";
import { invalidArgument } from "./lib/errors";
import { newAccessKey, sha256Hex } from "./lib/secrets";
import { requiredText } from "./lib/text";
import { authenticateUser } from "./lib/userAuth";

/** Whose access key this is; the web app's check that a pasted key works. */
export const whoami = query({
  args: userCredentials,
  returns: v.object({ user: v.string(), label: v.string() }),
  handler: async (ctx, args) => {
    const caller = await authenticateUser(ctx, args.accessKey);
    return { user: caller.user.name, label: caller.key.label };
  },
});

// Key management is internal: only whoever administers the deployment runs it, with
// `npx convex run access:createKey '{"user":"me","label":"laptop"}'`. No public function makes a key.

/**
 * Makes a key for a user (created on first use); the key is returned once and stored only as
 * its SHA-256. A mutation rather than an action so that drawing and storing are one transaction;
 * the key comes from `crypto.getRandomValues`, a CSPRNG here (see lib/secrets.ts).
 */
export const createKey = internalMutation({
  args: { user: v.string(), label: v.string() },
  returns: v.object({ key: v.string() }),
  handler: async (ctx, args) => {
    const name = requiredText("user", args.user, 100);
    const label = requiredText("label", args.label, 100);
    let user = await ctx.db
      .query("users")
      .withIndex("by_name", (q) => q.eq("name", name))
      .unique();
    if (user === null) {
      const id = await ctx.db.insert("users", { name, createdAt: Date.now() });
      user = (await ctx.db.get(id))!;
    }
    const sameLabel = await ctx.db
      .query("accessKeys")
      .withIndex("by_user_label", (q) => q.eq("user", user._id).eq("label", label))
      .collect();
    if (sameLabel.some((key) => key.revokedAt === null)) {
      invalidArgument(`${name} already has a key labelled "${label}": revoke it first or choose another label`);
    }
    const key = newAccessKey();
    await ctx.db.insert("accessKeys", {
      user: user._id,
      label,
      keyHash: await sha256Hex(key),
      createdAt: Date.now(),
      revokedAt: null,
    });
    return { key };
  },
});

/** Every key's user, label and dates; never a key (only its hash is stored). */
export const listKeys = internalQuery({
  args: {},
  returns: v.array(
    v.object({ user: v.string(), label: v.string(), createdAt: v.number(), revokedAt: v.union(v.number(), v.null()) }),
  ),
  handler: async (ctx) => {
    const users = await ctx.db.query("users").withIndex("by_name").collect();
    const listed = [];
    for (const user of users) {
      const keys = await ctx.db
        .query("accessKeys")
        .withIndex("by_user_label", (q) => q.eq("user", user._id))
        .collect();
      for (const key of keys) {
        listed.push({ user: user.name, label: key.label, createdAt: key.createdAt, revokedAt: key.revokedAt });
      }
    }
    return listed;
  },
});

/** Revokes the user's live key(s) with this label; it stops working at once. */
export const revokeKey = internalMutation({
  args: { user: v.string(), label: v.string() },
  returns: v.object({ revoked: v.number() }),
  handler: async (ctx, args) => {
    const user = await ctx.db
      .query("users")
      .withIndex("by_name", (q) => q.eq("name", args.user.trim()))
      .unique();
    if (user === null) {
      return { revoked: 0 };
    }
    const keys = await ctx.db
      .query("accessKeys")
      .withIndex("by_user_label", (q) => q.eq("user", user._id).eq("label", args.label.trim()))
      .collect();
    let revoked = 0;
    for (const key of keys) {
      if (key.revokedAt === null) {
        await ctx.db.patch(key._id, { revokedAt: Date.now() });
        revoked++;
      }
    }
    return { revoked };
  },
});
