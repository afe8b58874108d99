/* eslint-disable */
/**
 * Generated `api` utility.
 *
 * THIS CODE IS AUTOMATICALLY GENERATED.
 *
 * To regenerate, run `npx convex dev`.
 * @module
 */

import type {
  ApiFromModules,
  FilterApi,
  FunctionReference,
} from "convex/server";
import type * as access from "../access.js";
import type * as cleanup from "../cleanup.js";
import type * as crons from "../crons.js";
import type * as lib_args from "../lib/args.js";
import type * as lib_claims from "../lib/claims.js";
import type * as lib_enqueue from "../lib/enqueue.js";
import type * as lib_errors from "../lib/errors.js";
import type * as lib_machineAuth from "../lib/machineAuth.js";
import type * as lib_queue from "../lib/queue.js";
import type * as lib_replies from "../lib/replies.js";
import type * as lib_secrets from "../lib/secrets.js";
import type * as lib_settings from "../lib/settings.js";
import type * as lib_text from "../lib/text.js";
import type * as lib_userAuth from "../lib/userAuth.js";
import type * as lib_views from "../lib/views.js";
import type * as machines from "../machines.js";
import type * as messages from "../messages.js";
import type * as sessions from "../sessions.js";
import type * as workers from "../workers.js";

/**
 * A utility for referencing Convex functions in your app's API.
 *
 * Usage:
 * ```js
 * const myFunctionReference = api.myModule.myFunction;
 * ```
 */
declare const fullApi: ApiFromModules<{
  access: typeof access;
  cleanup: typeof cleanup;
  crons: typeof crons;
  "lib/args": typeof lib_args;
  "lib/claims": typeof lib_claims;
  "lib/enqueue": typeof lib_enqueue;
  "lib/errors": typeof lib_errors;
  "lib/machineAuth": typeof lib_machineAuth;
  "lib/queue": typeof lib_queue;
  "lib/replies": typeof lib_replies;
  "lib/secrets": typeof lib_secrets;
  "lib/settings": typeof lib_settings;
  "lib/text": typeof lib_text;
  "lib/userAuth": typeof lib_userAuth;
  "lib/views": typeof lib_views;
  machines: typeof machines;
  messages: typeof messages;
  sessions: typeof sessions;
  workers: typeof workers;
}>;
export declare const api: FilterApi<
  typeof fullApi,
  FunctionReference<any, "public">
>;
export declare const internal: FilterApi<
  typeof fullApi,
  FunctionReference<any, "internal">
>;
