/** GET /openapi.json: an OpenAPI 3.1 document generated from the contract's routes table. */
import { z } from "zod";
import { API_PREFIX, Problem, routes, type RouteSpec } from "../../contract/index.js";

function schemaOf(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  delete json.$schema;
  return json;
}

function parametersOf(spec: RouteSpec) {
  const parameters: Record<string, unknown>[] = [
    { name: "org_id", in: "path", required: true, schema: { type: "string" }, description: "Your practice (org) id" },
  ];
  const add = (where: "path" | "query", object: z.ZodObject | undefined) => {
    if (!object) return;
    const json = schemaOf(object, "input") as {
      properties?: Record<string, Record<string, unknown>>;
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
  if (spec.idempotent) {
    parameters.push({
      name: "Idempotency-Key",
      in: "header",
      required: false,
      schema: { type: "string", minLength: 1, maxLength: 255, pattern: "^[\\x21-\\x7e]+$" },
      description:
        "Retrying with the same key and body replays the original response (header Idempotent-Replayed: true); " +
        "a different body is 422 idempotency_key_reused. Only successes are stored, for 24 hours.",
    });
  }
  return parameters;
}

export function buildOpenApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const problem = { "application/problem+json": { schema: schemaOf(Problem, "output") } };
  for (const [name, spec] of Object.entries(routes) as [string, RouteSpec][]) {
    const path = `${API_PREFIX}/{org_id}${spec.path}`;
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[spec.method.toLowerCase()] = {
      operationId: name,
      summary: spec.summary,
      security: [{ bearer: [] }],
      parameters: parametersOf(spec),
      ...(spec.body
        ? { requestBody: { required: true, content: { "application/json": { schema: schemaOf(spec.body, "input") } } } }
        : {}),
      responses: {
        [String(spec.status)]: {
          description: "Success",
          content: { "application/json": { schema: schemaOf(spec.response, "output") } },
        },
        default: { description: "A problem: what went wrong and how to fix it", content: problem },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Dental PMS API (reference sandbox)", version: "1.0.0" },
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    paths,
  };
}
