/**
 * Turns a call of the PMS API into an HTTP request, through the route table of the contract: the
 * path parameters, query and body are validated with the route's own schemas before anything is
 * sent, so a bad argument fails here with the same field list the server would answer with.
 */
import type { z } from "zod";
import {
  problemTypeUri,
  routes,
  type FieldError,
  type Problem,
  type RouteName,
  type RouteSpec,
} from "../contract/index.js";
import { PmsError } from "./errors.js";

export interface CallInput {
  params?: Record<string, unknown>;
  query?: unknown;
  body?: unknown;
}

export interface BuiltRequest {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Path under `/api/v1/{org_id}`, parameters encoded, with the query string if any. */
  path: string;
  /** JSON text of the validated body. */
  body?: string;
}

/** Validates `input` against route `name` and builds the request, or throws PmsError "validation". */
export function buildRequest(name: RouteName, input: CallInput = {}): BuiltRequest {
  const route: RouteSpec = routes[name];
  const fieldErrors: FieldError[] = [];

  const params = route.params ? parseInto(route.params, input.params ?? {}, "", fieldErrors) : {};
  const query = route.query ? parseInto(route.query, input.query ?? {}, "query.", fieldErrors) : {};
  const body = route.body ? parseInto(route.body, input.body, "", fieldErrors) : undefined;
  if (fieldErrors.length > 0) throw localValidationError(name, fieldErrors);

  const path = route.path.replace(/\{(\w+)\}/g, (_, key: string) =>
    encodeURIComponent(String((params as Record<string, unknown>)[key])),
  );
  const search = toSearchParams(query as Record<string, unknown>).toString();
  return {
    method: route.method,
    path: search ? `${path}?${search}` : path,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  };
}

function parseInto(schema: z.ZodType, value: unknown, prefix: string, errors: FieldError[]): unknown {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const at = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        errors.push({ field: prefix + (at ? `${at}.${key}` : key), message: "is not a known field; remove it" });
      }
    } else {
      errors.push({ field: prefix + (at || (prefix ? prefix.slice(0, -1) : "body")), message: issue.message });
    }
  }
  return undefined;
}

/** Query values as the URL carries them: booleans and numbers as text, undefined dropped. */
function toSearchParams(query: Record<string, unknown>): URLSearchParams {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) search.append(key, String(value));
  }
  return search;
}

/** The error for arguments refused before sending: the Problem the server would have answered with. */
export function localValidationError(name: RouteName, errors: FieldError[]): PmsError {
  const list = errors.map((e) => `${e.field} ${e.message}`).join("; ");
  const problem: Problem = {
    type: problemTypeUri("validation_failed"),
    title: "Invalid request",
    status: 400,
    code: "validation_failed",
    detail: `Invalid arguments for ${name}: ${list}.`,
    errors,
  };
  return new PmsError("validation", { call: name, problem, notSent: true });
}
