/**
 * The part of undici the PMS client uses: a keep-alive Pool and its `request`. The package's index loads
 * all of undici (fetch, WebSocket, caches, mocks, proxies; and with it Node's own bundled undici), which
 * costs the proxy-mode process about 9 MB of memory for nothing it calls. undici has no "exports" map,
 * so its files can be loaded one by one; the index only adds `request` to every dispatcher's prototype,
 * which `poolRequest` calls directly instead. Types come from the package's own declarations.
 */
import type { Dispatcher, Pool as PoolType } from "undici";
import PoolClass from "undici/lib/dispatcher/pool.js";
import request from "undici/lib/api/api-request.js";

export const Pool: typeof PoolType = PoolClass;
export type Pool = PoolType;

/** `pool.request(options)`, as undici's index would have attached it. */
export function poolRequest(pool: Pool, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> {
  return request.call(pool, options);
}
