/** Plain HTTP calls of the benchmarks: undici on a keep-alive Pool, the leanest client Node has. */
import { Pool } from "undici";

export interface JsonClient {
  /** GET `path` (absolute, with the query) and the parsed body; throws unless the status is 200. */
  get(path: string): Promise<unknown>;
  close(): Promise<void>;
}

export function jsonClient(origin: string, token: string, connections = 1): JsonClient {
  const pool = new Pool(origin, { connections });
  const headers = { authorization: `Bearer ${token}`, accept: "application/json" };
  return {
    async get(path) {
      const response = await pool.request({ method: "GET", path, headers });
      const text = await response.body.text();
      if (response.statusCode !== 200) {
        throw new Error(`GET ${path} answered ${response.statusCode}: ${text.slice(0, 300)}`);
      }
      return JSON.parse(text) as unknown;
    },
    close: () => pool.close(),
  };
}

/** The path part of a sandbox base URL ("/api/v1/{org}"), for requests on a Pool of its origin. */
export function pathOf(baseUrl: string): string {
  return new URL(baseUrl).pathname;
}
