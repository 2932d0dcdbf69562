/**
 * What the MCP layer needs from a PMS: the endpoints of the contract, typed from its route table. One
 * method per route, taking the route's `params`, `query` and `body` (as the schemas accept them) and
 * resolving to its response (as the schema yields it); the idempotent route also takes its
 * Idempotency-Key and says whether the answer was a replay. Implemented over HTTP by `PmsClient`; every
 * method rejects with a `PmsError` only. A route added to the table is a method here, with no other edit.
 */
import type { z } from "zod";
import { routes, type RouteName } from "../contract/index.js";

type Routes = typeof routes;

export interface CallOptions {
  /** Aborts the request (e.g. the MCP request was cancelled). */
  signal?: AbortSignal;
}

type Nothing = Record<never, never>;
type SchemaOf<R, K extends "params" | "query" | "body"> = R extends { readonly [P in K]: infer S extends z.ZodType }
  ? S
  : never;
/**
 * A part of the input: absent when the route has none (named, so that an options object passed in its
 * place is refused, not silently taken for an empty input), optional when the schema accepts an empty
 * object (every field optional or defaulted), required otherwise.
 */
type Part<K extends string, S> = [S] extends [never]
  ? { [P in K]?: undefined }
  : Nothing extends z.input<S>
    ? { [P in K]?: z.input<S> }
    : { [P in K]: z.input<S> };

/** The input of route `N`: its path parameters, query and body, each as its schema accepts it. */
export type RouteInput<N extends RouteName> = Part<"params", SchemaOf<Routes[N], "params">> &
  Part<"query", SchemaOf<Routes[N], "query">> &
  Part<"body", SchemaOf<Routes[N], "body">>;

/** The answer of route `N`, as its response schema yields it. */
export type RouteOutput<N extends RouteName> = z.output<Routes[N]["response"]>;

type IsIdempotent<N extends RouteName> = Routes[N] extends { readonly idempotent: true } ? true : false;

/** The idempotent route is sent with an `Idempotency-Key` (retried on transient failures with the same key). */
export type RouteOptions<N extends RouteName> =
  IsIdempotent<N> extends true ? CallOptions & { idempotencyKey: string } : CallOptions;

/**
 * The answer to an idempotent request. `replayed`: the Idempotency-Key had been used before, and this is
 * the answer stored then, which does not show later changes (a cancellation, say).
 */
export interface Replayable<T> {
  value: T;
  replayed: boolean;
}

export type RouteResult<N extends RouteName> =
  IsIdempotent<N> extends true ? Replayable<RouteOutput<N>> : RouteOutput<N>;

export type RouteMethod<N extends RouteName> =
  IsIdempotent<N> extends true
    ? (input: RouteInput<N>, options: RouteOptions<N>) => Promise<RouteResult<N>>
    : Nothing extends RouteInput<N>
      ? (input?: RouteInput<N>, options?: RouteOptions<N>) => Promise<RouteResult<N>>
      : (input: RouteInput<N>, options?: RouteOptions<N>) => Promise<RouteResult<N>>;

export type RouteMethods = { readonly [N in RouteName]: RouteMethod<N> };

export interface PmsApi extends RouteMethods {
  /**
   * The id of the practice (org) this client acts for. Asynchronous because an embedded PMS only
   * knows it once started; caller passes are bound to it.
   */
  orgId(options?: CallOptions): Promise<string>;
}

export const ROUTE_NAMES = Object.keys(routes) as readonly RouteName[];

/** How one call of any route is carried out: what a PmsApi implementation supplies, once. */
export type RouteCall = <N extends RouteName>(
  name: N,
  input: RouteInput<N>,
  options: CallOptions & { idempotencyKey?: string },
) => Promise<RouteResult<N>>;

/** One method per route of the table, each handing its name, input and options to `call`. */
export function routeMethods(call: RouteCall): RouteMethods {
  const methods = ROUTE_NAMES.map((name) => {
    type Input = RouteInput<typeof name>;
    return [name, (input?: Input, options?: CallOptions) => call(name, input ?? ({} as Input), options ?? {})];
  });
  // The mapped type cannot follow a loop over the names; each entry has the shape of its route's method.
  return Object.fromEntries(methods) as RouteMethods;
}

/** Calls route `name` of `api` generically (TypeScript cannot narrow `api[name]` for a generic name). */
export function callRoute<N extends RouteName>(
  api: RouteMethods,
  name: N,
  input: RouteInput<N>,
  options: CallOptions & { idempotencyKey?: string },
): Promise<RouteResult<N>> {
  const method = api[name] as unknown as (input: RouteInput<N>, options: CallOptions) => Promise<RouteResult<N>>;
  return method(input, options);
}
