// Hive Gateway configuration for Talent. Loaded by `hive-gateway` from the current
// working directory (run it from gateway/). Everything is driven by environment
// variables; see README.md for the list.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { defineConfig, type GatewayPlugin, type TransportEntryAdditions } from '@graphql-hive/gateway';
import { GraphQLError, getOperationAST } from 'graphql';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';

const HERE = dirname(fileURLToPath(import.meta.url));
const env = process.env;

function fail(message: string): never {
  // Thrown at config load: the CLI logs it and exits non-zero before listening.
  throw new Error(`talent gateway: ${message}`);
}

function flag(name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  return fail(`${name} must be true or false, got "${raw}"`);
}

// --- Authentication -------------------------------------------------------------
// OpenID Connect by default: access tokens signed with RS256 or ES256 by the issuer named
// in TALENT_OIDC_ISSUER, whose keys come from its JWKS (found through its discovery
// document, or TALENT_OIDC_JWKS_URL). A token signed with a key the gateway has not seen
// makes it fetch the JWKS again (at most once a second), so rotating the issuer's key
// needs no restart, and tokens signed with a key still published keep working.
// HS256 with TALENT_JWT_SECRET is an explicit test/dev switch, used only when no issuer
// is configured. Every refusal is a 401 with `WWW-Authenticate: Bearer` (RFC 6750),
// `error="invalid_token"` and a description that says whether the token expired.
const oidcIssuer = env.TALENT_OIDC_ISSUER?.replace(/\/+$/, '') || undefined;
const jwtSecret = env.TALENT_JWT_SECRET || undefined;
if (!oidcIssuer && !jwtSecret) {
  fail('set TALENT_OIDC_ISSUER (OpenID Connect) or, for tests, TALENT_JWT_SECRET (HS256)');
}
const audience = env.TALENT_JWT_AUDIENCE || 'talent';

function unauthenticated(description?: string): GraphQLError {
  const challenge = description
    ? `Bearer error="invalid_token", error_description="${description}"`
    : 'Bearer';
  return new GraphQLError(description ?? 'Authentication required', {
    extensions: {
      code: 'UNAUTHENTICATED',
      http: { status: 401, headers: { 'WWW-Authenticate': challenge } },
    },
  });
}

// `Authorization: Bearer <jwt>`; anything else is a 401 with the reason, never a 400 or 500.
function bearerToken(request: Request): string {
  const header = request.headers.get('authorization');
  if (header == null) throw unauthenticated();
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthenticated('The Authorization header must be "Bearer <token>"');
  return match[1];
}

let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
async function issuerKeys(): Promise<ReturnType<typeof createRemoteJWKSet>> {
  if (jwks) return jwks;
  let uri = env.TALENT_OIDC_JWKS_URL;
  if (!uri) {
    const response = await fetch(`${oidcIssuer}/.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok) throw new Error(`discovery answered HTTP ${response.status}`);
    uri = (await response.json()).jwks_uri as string;
  }
  jwks = createRemoteJWKSet(new URL(uri), { cooldownDuration: 1000, timeoutDuration: 5000 });
  return jwks;
}

const secretKey = jwtSecret ? new TextEncoder().encode(jwtSecret) : undefined;

async function verifyToken(token: string): Promise<void> {
  try {
    if (oidcIssuer) {
      await jwtVerify(token, await issuerKeys(), {
        issuer: oidcIssuer,
        audience,
        algorithms: ['RS256', 'ES256'],
        requiredClaims: ['sub', 'exp'],
      });
    } else {
      await jwtVerify(token, secretKey!, {
        issuer: env.TALENT_JWT_ISSUER || 'talent',
        audience,
        algorithms: ['HS256'],
        requiredClaims: ['sub', 'exp'],
      });
    }
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw unauthenticated('The access token expired');
    if (error instanceof joseErrors.JOSEError) throw unauthenticated('The access token is invalid');
    // The issuer cannot be reached: not the client's fault, and not a reason to sign out.
    console.error('talent gateway: cannot verify tokens:', (error as Error).message);
    throw new GraphQLError('Authentication is unavailable; try again shortly', {
      extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503 } },
    });
  }
}

const verified = new WeakSet<Request>();
const authentication: GatewayPlugin = {
  async onRequestParse({ request }) {
    if (verified.has(request)) return;
    await verifyToken(bearerToken(request));
    verified.add(request);
  },
};

// --- Error contract (docs/api.md) ---------------------------------------------------
// The services answer with the contract's codes already; the gateway's own errors use
// Yoga's and Hive's (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, BAD_REQUEST,
// OPERATION_RESOLUTION_FAILURE, none at all for a variable of the wrong type, which is
// also quoted whole in the message; SUBREQUEST_HTTP_ERROR, INTERNAL_SERVER_ERROR). This
// rewrites every error of a response to the contract: a request error is BAD_USER_INPUT,
// a fault is INTERNAL with only a reference in its message (the gateway logs the
// original under it), every message is cut to 200 characters, and no `originalError`
// (a JavaScript error's name and message) reaches a client. Errors keep their HTTP
// status (`extensions.http`), so the GraphQL-over-HTTP behaviour is unchanged.
const MESSAGE_LIMIT = 200;
const CONTRACT_CODES = new Set([
  'BAD_USER_INPUT',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'INTERNAL',
  'UNAUTHENTICATED',
  'GATEWAY_TIMEOUT',
  'SERVICE_UNAVAILABLE',
]);
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'REQUEST_ENTITY_TOO_LARGE',
  'PERSISTED_QUERY_NOT_FOUND',
]);

// What an error's extensions may carry to a client (docs/api.md). Anything else (Hive's
// `request` and `response` of a failed subgraph call, with the subgraph's URL and the
// internal entity query) stays inside.
const PUBLIC_EXTENSIONS = new Set(['code', 'reference', 'fields', 'serviceName', 'http']);

function bounded(text: string): string {
  return text.length <= MESSAGE_LIMIT ? text : `${text.slice(0, MESSAGE_LIMIT - 1)}…`;
}

// An error as the result holds it: a GraphQLError, or a plain object of the same shape
// (whichever copy of graphql-js made it, so no instanceof).
type ResultError = { message: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> };

function contractCode(error: ResultError): string {
  const code = error.extensions?.code;
  if (typeof code === 'string' && CONTRACT_CODES.has(code)) return code;
  if (typeof code === 'string' && REQUEST_ERROR_CODES.has(code)) return 'BAD_USER_INPUT';
  // No code and no path: raised before execution (variable coercion): the request's fault.
  if (code === undefined && !error.path) return 'BAD_USER_INPUT';
  return 'INTERNAL';
}

function keepContract(error: unknown): void {
  if (typeof error !== 'object' || error === null) return;
  const e = error as ResultError;
  if (typeof e.message !== 'string') return;
  const extensions = { ...(e.extensions ?? {}) };
  const code = contractCode(e);
  if (code === 'INTERNAL' && typeof extensions.reference !== 'string') {
    const reference = randomBytes(6).toString('hex');
    console.error(
      `talent gateway: internal error (reference ${reference}) at ${(e.path ?? []).join('.')}: ` +
        `[${String(extensions.code)}] ${e.message}`,
    );
    extensions.reference = reference;
    e.message = `Internal error (reference ${reference})`;
  }
  extensions.code = code;
  for (const key of Object.keys(extensions)) {
    if (!PUBLIC_EXTENSIONS.has(key) && key !== 'originalError') delete extensions[key];
  }
  // Yoga reads `originalError` after this hook (a request body that is not JSON is a 400
  // by it), so it stays, but not enumerable: the response leaves it out.
  if ('originalError' in extensions) {
    const originalError = extensions.originalError;
    delete extensions.originalError;
    Object.defineProperty(extensions, 'originalError', { value: originalError, enumerable: false });
  }
  e.message = bounded(e.message);
  e.extensions = extensions;
}

function keepContractOf(result: unknown): void {
  if (Array.isArray(result)) {
    result.forEach(keepContractOf);
    return;
  }
  const { data, errors } = (result as { data?: unknown; errors?: unknown } | null) ?? {};
  if (!Array.isArray(errors)) return;
  errors.forEach(keepContract);
  // A partial answer (a subgraph timed out or failed, the others answered) is a 200: per
  // GraphQL over HTTP a response with data is 2xx, and a client library would throw a
  // 504's data away. The status of a field's error only applies when there is no data.
  if (data !== null && data !== undefined) {
    for (const error of errors as ResultError[]) {
      if (error?.extensions) delete error.extensions.http;
    }
  }
}

const errorContract: GatewayPlugin = {
  onResultProcess({ result }) {
    keepContractOf(result);
  },
};

// --- Subgraph URLs ----------------------------------------------------------------
// supergraph.graphql carries the URLs from subgraphs.json; TALENT_SUBGRAPH_<NAME>_URL
// overrides one at run time (tests, dev on other ports, containers). This is done with
// transportEntries rather than by rewriting the supergraph, because a supergraph path on
// the command line (`hive-gateway supergraph supergraph.graphql`) takes precedence over
// the config's `supergraph` option, while transportEntries applies either way.
function subgraphEnvName(name: string): string {
  return `TALENT_SUBGRAPH_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;
}

const subgraphNames = Object.keys(
  JSON.parse(readFileSync(join(HERE, 'subgraphs.json'), 'utf8')) as Record<string, unknown>,
);
const transportEntries: TransportEntryAdditions = {};
for (const name of subgraphNames) {
  const url = env[subgraphEnvName(name)];
  if (url) {
    try {
      new URL(url);
    } catch {
      fail(`${subgraphEnvName(name)} is not a valid URL: "${url}"`);
    }
    transportEntries[name] = { location: url };
  }
}

// --- Headers to subgraphs ---------------------------------------------------------
// The client's token goes to every subgraph (each re-checks it), plus the shared secret
// that tells a subgraph the request came through the gateway.
const gatewaySecret = env.TALENT_GATEWAY_SECRET || undefined;

function listenPort(): number {
  const raw = env.TALENT_GATEWAY_PORT;
  if (!raw) return 4000;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`TALENT_GATEWAY_PORT is not a port: "${raw}"`);
  return port;
}

function milliseconds(name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) fail(`${name} must be a positive number of milliseconds, got "${raw}"`);
  return value;
}

// --- Subgraph timeouts ------------------------------------------------------------
// A slow or hung subgraph must not hang the API: its fields answer null with an error
// after the timeout, the other subgraphs' data arrives in time. Mutations (imports) get
// longer. Every request carries its deadline (x-talent-deadline, Unix seconds) and a
// subgraph rolls back a transaction that would commit after it, so a mutation the
// gateway gave up on is not applied later.
const queryTimeoutMs = milliseconds('TALENT_GATEWAY_SUBGRAPH_TIMEOUT_MS', 5000);
const mutationTimeoutMs = milliseconds('TALENT_GATEWAY_MUTATION_TIMEOUT_MS', 120000);

const introspection = flag('TALENT_GATEWAY_INTROSPECTION', true);
const metrics = flag('TALENT_GATEWAY_METRICS', true);

export const gatewayConfig = defineConfig({
  // Used when the CLI is started without a supergraph argument (`hive-gateway supergraph`);
  // a path on the command line wins over this. A local supergraph file is watched: after
  // `make schema` the gateway reloads it without a restart (URL overrides re-applied).
  supergraph: join(HERE, 'supergraph.graphql'),
  // Listening address when neither --host/--port nor the HOST/PORT variables are given
  // (the CLI reads HOST and PORT itself, and they win over these).
  host: env.TALENT_GATEWAY_HOST || '127.0.0.1',
  port: listenPort(),

  transportEntries,

  plugins: () => [authentication, errorContract],

  propagateHeaders: {
    fromClientToSubgraphs({ request }) {
      const headers: Record<string, string> = {};
      const authorization = request.headers.get('authorization');
      if (authorization) headers.authorization = authorization;
      if (gatewaySecret) headers['x-talent-gateway-secret'] = gatewaySecret;
      headers['x-talent-deadline'] = String((Date.now() + Math.max(queryTimeoutMs, mutationTimeoutMs)) / 1000);
      return headers;
    },
  },

  upstreamTimeout({ executionRequest }) {
    if (!executionRequest) return queryTimeoutMs;
    const kind =
      executionRequest.operationType ??
      getOperationAST(executionRequest.document, executionRequest.operationName)?.operation;
    // A subscription is a stream that stays open (the notifier's `notificationAdded`):
    // no timeout, or the gateway would cut it after the query timeout. The subgraph ends
    // it itself after a bounded time.
    if (kind === 'subscription') return undefined;
    return kind === 'mutation' ? mutationTimeoutMs : queryTimeoutMs;
  },

  // Operation limits (graphql-armor). Cost limits need @cost/@listSize in the subgraphs.
  maxDepth: 12,
  maxTokens: 2000,
  blockFieldSuggestions: true,
  disableIntrospection: introspection ? undefined : {},

  // Prometheus metrics at /metrics (no token needed: keep it off the public ingress).
  // The defaults: HTTP and GraphQL phase durations, errors, and per subgraph the request
  // duration (graphql_gateway_subgraph_execute_duration), its errors and the fetch time,
  // labelled with the subgraph's name. /healthcheck and /readiness are always on.
  prometheus: metrics
    ? { metrics: true, labels: { subgraphName: true }, endpoint: '/metrics' }
    : undefined,
});
