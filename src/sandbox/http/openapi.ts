/**
 * GET /openapi.json: an OpenAPI 3.1 document generated from the contract's routes table. Every zod schema the
 * contract exports is a named component under its export name (one Problem, referenced by every problem
 * response); a schema that reads differently as a request than as a response (defaults, transforms, extra keys
 * allowed) gets a second component, `<Name>Input`. The problem responses of an operation follow from the shape
 * of its route, so that a route added to the table is documented in full without more work here.
 */
import { z } from "zod";
import * as contract from "../../contract/index.js";
import { API_PREFIX, ERROR_STATUS, type ErrorCode, type RouteSpec } from "../../contract/index.js";

type Json = Record<string, unknown>;
type Io = "input" | "output";

const COMPONENT = "#/components/schemas/";
const INPUT_SUFFIX = "Input";

/** The contract's schemas by name, and a name for any schema of the table the contract does not export. */
function namedSchemas(): z.core.$ZodRegistry<{ id: string }> {
  const registry = z.registry<{ id: string }>();
  const name = (schema: z.ZodType, id: string) => {
    if (!registry.has(schema)) registry.add(schema, { id });
  };
  for (const [id, value] of Object.entries(contract)) if (value instanceof z.ZodType) name(value, id);
  for (const [routeName, spec] of Object.entries(contract.routes) as [string, RouteSpec][]) {
    const prefix = routeName.charAt(0).toUpperCase() + routeName.slice(1);
    if (spec.params) name(spec.params, `${prefix}Path`);
    if (spec.query) name(spec.query, `${prefix}Query`);
    if (spec.body) name(spec.body, `${prefix}Body`);
    name(spec.response, `${prefix}Response`);
  }
  return registry;
}

interface Components {
  /** Every schema, as responses (output) and as requests (input: `<Name>Input` where that differs). */
  schemas: Record<string, Json>;
  /** The component name of `schema` read as `io`. */
  nameOf(schema: z.ZodType, io: Io): string;
  /** Each `<Name>Input` component, and its `<Name>`. */
  inputVariants: ReadonlyMap<string, string>;
}

function buildComponents(): Components {
  const registry = namedSchemas();
  let inputOnly = new Set<string>();
  const convert = (io: Io) =>
    (
      z.toJSONSchema(registry, {
        target: "draft-2020-12",
        io,
        unrepresentable: "any",
        uri: (id) => `${COMPONENT}${io === "input" && inputOnly.has(id) ? `${id}${INPUT_SUFFIX}` : id}`,
      }) as { schemas: Record<string, Json> }
    ).schemas;
  const strip = ({ $schema: _dialect, $id: _id, ...json }: Json) => json;
  // A schema whose input differs makes every schema that refers to it differ too: repeat until nothing new differs.
  for (;;) {
    const output = convert("output");
    const input = convert("input");
    const differing = new Set(
      Object.keys(output).filter((id) => JSON.stringify(strip(output[id]!)) !== JSON.stringify(strip(input[id]!))),
    );
    if (differing.size === inputOnly.size) {
      const schemas: Record<string, Json> = {};
      for (const [id, json] of Object.entries(output)) schemas[id] = strip(json);
      for (const id of differing) schemas[`${id}${INPUT_SUFFIX}`] = strip(input[id]!);
      return {
        schemas,
        inputVariants: new Map([...differing].map((id) => [`${id}${INPUT_SUFFIX}`, id])),
        nameOf(schema, io) {
          const id = registry.get(schema)?.id;
          if (id === undefined) throw new Error("every schema of the routes table is named");
          return io === "input" && differing.has(id) ? `${id}${INPUT_SUFFIX}` : id;
        },
      };
    }
    inputOnly = differing;
  }
}

const ref = (name: string) => ({ $ref: `${COMPONENT}${name}` });

/** Response headers, each documented once. */
const HEADERS = {
  IdempotentReplayed: {
    description: "true when this is the stored answer to an earlier request with the same Idempotency-Key",
    schema: { type: "string", enum: ["true"] },
  },
  RetryAfter: {
    description: "Seconds to wait before retrying",
    schema: { type: "integer", minimum: 0 },
  },
  WWWAuthenticate: {
    description: 'The Bearer challenge, with error="invalid_token" when a token was sent and is not valid',
    schema: { type: "string" },
  },
};

/** Each problem response: its status, the error codes it carries (from ERROR_STATUS) and any header. */
const PROBLEMS = {
  BadRequest: { status: 400, summary: "Malformed input: errors[] names each field and the expected form" },
  Unauthorized: {
    status: 401,
    summary: "Missing, invalid or revoked token",
    headers: { "WWW-Authenticate": "WWWAuthenticate" },
  },
  NotFound: { status: 404, summary: "No such record, or another org's path" },
  Conflict: { status: 409, summary: "The request conflicts with what is stored" },
  PayloadTooLarge: { status: 413, summary: "The body is too large" },
  UnsupportedMediaType: { status: 415, summary: "The body is not sent as application/json" },
  Unprocessable: { status: 422, summary: "Well-formed, but against the scheduling rules" },
  ServiceUnavailable: {
    status: 503,
    summary: "The database cannot be reached or only allows reading right now",
    headers: { "Retry-After": "RetryAfter" },
  },
  InsufficientStorage: { status: 507, summary: "The database's disk is full: nothing was saved" },
} as const satisfies Record<
  string,
  { status: number; summary: string; headers?: Record<string, keyof typeof HEADERS> }
>;
type ProblemName = keyof typeof PROBLEMS;

function problemResponses(): Record<ProblemName, Json> {
  const codesOf = (status: number) =>
    (Object.entries(ERROR_STATUS) as [ErrorCode, number][]).filter(([, s]) => s === status).map(([code]) => code);
  const responses = {} as Record<ProblemName, Json>;
  for (const [name, problem] of Object.entries(PROBLEMS) as [ProblemName, (typeof PROBLEMS)[ProblemName]][]) {
    const headers = "headers" in problem ? problem.headers : undefined;
    responses[name] = {
      description: `${problem.summary} (code: ${codesOf(problem.status).join(", ")})`,
      ...(headers
        ? {
            headers: Object.fromEntries(
              Object.entries(headers).map(([header, component]) => [
                header,
                { $ref: `#/components/headers/${component}` },
              ]),
            ),
          }
        : {}),
      content: { [contract.PROBLEM_CONTENT_TYPE]: { schema: ref("Problem") } },
    };
  }
  return responses;
}

/** The problems an operation can answer, from the shape of its route. */
function problemsOf(spec: RouteSpec): ProblemName[] {
  const writes = spec.method !== "GET";
  const takesInput = spec.params !== undefined || spec.query !== undefined || spec.body !== undefined;
  // A date range the caller gives can be the wrong way round (invalid_time_range), or too long.
  const takesRange = spec.query !== undefined && "start_date" in spec.query.shape && "end_date" in spec.query.shape;
  return [
    ...(takesInput ? (["BadRequest"] as const) : []),
    "Unauthorized",
    "NotFound",
    ...(writes ? (["Conflict"] as const) : []),
    ...(spec.body ? (["PayloadTooLarge", "UnsupportedMediaType"] as const) : []),
    ...(writes || takesRange ? (["Unprocessable"] as const) : []),
    "ServiceUnavailable",
    ...(writes ? (["InsufficientStorage"] as const) : []),
  ];
}

function parametersOf(spec: RouteSpec, components: Components): Json[] {
  const parameters: Json[] = [{ $ref: "#/components/parameters/OrgId" }];
  const add = (where: "path" | "query", object: z.ZodObject | undefined) => {
    if (!object) return;
    const json = components.schemas[components.nameOf(object, "input")] as {
      properties?: Record<string, Json>;
      required?: string[];
    };
    for (const [name, schema] of Object.entries(json.properties ?? {})) {
      const { description, ...rest } = schema;
      parameters.push({
        name,
        in: where,
        required: where === "path" || (json.required ?? []).includes(name),
        schema: rest,
        ...(typeof description === "string" ? { description } : {}),
      });
    }
  };
  add("path", spec.params);
  add("query", spec.query);
  if (spec.idempotent) parameters.push({ $ref: "#/components/parameters/IdempotencyKey" });
  return parameters;
}

export function buildOpenApiDocument(): Json {
  const components = buildComponents();
  const paths: Record<string, Json> = {};
  for (const [name, spec] of Object.entries(contract.routes) as [string, RouteSpec][]) {
    const path = `${API_PREFIX}/{org_id}${spec.path}`;
    paths[path] ??= {};
    paths[path][spec.method.toLowerCase()] = {
      operationId: name,
      summary: spec.summary,
      security: [{ bearer: [] }],
      parameters: parametersOf(spec, components),
      ...(spec.body
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: ref(components.nameOf(spec.body, "input")) } },
            },
          }
        : {}),
      responses: {
        [String(spec.status)]:
          spec.status === 204
            ? { description: "Done; no content" }
            : {
                description: spec.status === 201 ? "Created" : "Success",
                ...(spec.idempotent
                  ? { headers: { "Idempotent-Replayed": { $ref: "#/components/headers/IdempotentReplayed" } } }
                  : {}),
                content: { "application/json": { schema: ref(components.nameOf(spec.response, "output")) } },
              },
        ...Object.fromEntries(
          problemsOf(spec).map((problem) => [
            String(PROBLEMS[problem].status),
            { $ref: `#/components/responses/${problem}` },
          ]),
        ),
      },
    };
  }
  const document = {
    openapi: "3.1.0",
    info: {
      title: "Dental PMS API (reference sandbox)",
      version: "1.0.0",
      description:
        "The Dental PMS workflow: find the patient, list appointment types, check availability, book, read the confirmation. " +
        "Errors are application/problem+json (RFC 9457) with a stable code.",
      license: { name: "MIT", identifier: "MIT" },
      contact: { name: "dental-pms-mcp", url: "https://github.com/dental-pms-mcp/dental-pms-mcp" },
    },
    // Relative: the server that serves this document (dental-pms-mcp sandbox listens on port 4010 by default).
    servers: [{ url: "/", description: "The server this document was fetched from" }],
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      parameters: {
        OrgId: {
          name: "org_id",
          in: "path",
          required: true,
          schema: { type: "string" },
          description: "Your practice (org) id",
        },
        IdempotencyKey: {
          name: "Idempotency-Key",
          in: "header",
          required: false,
          schema: { type: "string", minLength: 1, maxLength: 255, pattern: "^[\\x21-\\x7e]+$" },
          description:
            "Retrying with the same key and body replays the original response (header Idempotent-Replayed: true); " +
            "a different body is 422 idempotency_key_reused. Only successes are stored, for 24 hours.",
        },
      },
      headers: HEADERS,
      responses: problemResponses(),
      schemas: reachable(paths, components.schemas),
    },
  };
  return withPlainInputNames(document, components.inputVariants);
}

/** `<Name>Input` is called `<Name>` where the API never reads that schema as a response (e.g. AppointmentCreate). */
function withPlainInputNames(
  document: Json & { components: { schemas: Record<string, Json> } },
  inputVariants: ReadonlyMap<string, string>,
): Json {
  const { schemas } = document.components;
  const unpaired = new Map([...inputVariants].filter(([variant, plain]) => variant in schemas && !(plain in schemas)));
  let text = JSON.stringify(document);
  for (const [variant, plain] of unpaired) text = text.replaceAll(`"${COMPONENT}${variant}"`, `"${COMPONENT}${plain}"`);
  const renamed = JSON.parse(text) as typeof document;
  renamed.components.schemas = Object.fromEntries(
    Object.entries(renamed.components.schemas).map(([name, schema]) => [unpaired.get(name) ?? name, schema]),
  );
  return renamed;
}

/** The schemas the paths refer to, directly or through other schemas: the contract exports more than the API uses. */
function reachable(paths: Json, schemas: Record<string, Json>): Record<string, Json> {
  const kept = new Set<string>(["Problem"]);
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string" && value.startsWith(COMPONENT)) {
        const name = value.slice(COMPONENT.length);
        if (!kept.has(name)) {
          kept.add(name);
          visit(schemas[name]);
        }
      } else visit(value);
    }
  };
  visit(paths);
  visit(schemas.Problem);
  return Object.fromEntries(Object.entries(schemas).filter(([name]) => kept.has(name)));
}
