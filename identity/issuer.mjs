// The local OpenID Connect issuer `talent dev up` runs: oidc-provider (MIT, OpenID
// Certified) configured for Talent. Development only: anyone who can reach it signs in
// as any account listed in the accounts file (oidc-provider's dev interactions), which is
// what a demo needs and what production must never have.
//
// Environment:
//   TALENT_OIDC_ISSUER     the issuer URL, http://127.0.0.1:PORT (it listens there)
//   TALENT_OIDC_KEYS       private JWKS file ({"keys": [...]}); the first key signs. The
//                          file is watched: rotating it (talent dev rotate-key) takes
//                          effect without a restart, and keys still listed keep verifying
//   TALENT_OIDC_ACCOUNTS   accounts file ({"<employee id>": {"name", "roles", "org_units"}}),
//                          read at every sign-in, so new accounts need no restart
//   TALENT_OIDC_AUDIENCE   the `aud` of access tokens (default talent)
//   TALENT_OIDC_TOKEN_TTL  access token lifetime in seconds (default 28800, 8 hours)
//   TALENT_OIDC_SHORT_TTL  lifetime of the talent-short-lived client's tokens (default 10),
//                          for trying how clients handle expiry
import { randomBytes } from 'node:crypto';
import { readFileSync, watchFile } from 'node:fs';
import { createServer } from 'node:http';

import Provider, { errors } from 'oidc-provider';

const env = process.env;

function fail(message) {
  console.error(`talent issuer: ${message}`);
  process.exit(2);
}

function seconds(name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) fail(`${name} must be a positive number of seconds`);
  return value;
}

const issuer = env.TALENT_OIDC_ISSUER || fail('TALENT_OIDC_ISSUER is not set');
const keysPath = env.TALENT_OIDC_KEYS || fail('TALENT_OIDC_KEYS is not set');
const accountsPath = env.TALENT_OIDC_ACCOUNTS || fail('TALENT_OIDC_ACCOUNTS is not set');
const audience = env.TALENT_OIDC_AUDIENCE || 'talent';
const tokenTtl = seconds('TALENT_OIDC_TOKEN_TTL', 8 * 3600);
const shortTtl = seconds('TALENT_OIDC_SHORT_TTL', 10);
const { hostname, port } = new URL(issuer);
if (hostname !== '127.0.0.1' && hostname !== 'localhost') fail('the dev issuer binds to 127.0.0.1 only');

// The resource indicator of the Talent API: access tokens for it are JWTs with aud=talent.
const RESOURCE = 'urn:talent:api';
const API_SCOPE = 'talent';
// Both clients are first party and public (PKCE); the CLI's redirect URI is never served.
const REDIRECT = `${issuer}/callback`;
const CLIENT_TTL = { 'talent-cli': tokenTtl, 'talent-short-lived': shortTtl };

function readJson(path, what) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    fail(`cannot read the ${what} file ${path}: ${error.message}`);
  }
}

function account(id) {
  const accounts = readJson(accountsPath, 'accounts');
  return Object.hasOwn(accounts, id) ? accounts[id] : undefined;
}

// Cookies sign interaction state; a new key per start is fine for a dev issuer.
const cookieKeys = [randomBytes(32).toString('base64url')];

function provider(jwks) {
  const oidc = new Provider(issuer, {
    jwks,
    clients: Object.keys(CLIENT_TTL).map((clientId) => ({
      client_id: clientId,
      token_endpoint_auth_method: 'none',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    })),
    cookies: { keys: cookieKeys },
    claims: { openid: ['sub'], profile: ['name'] },
    scopes: ['openid', 'profile', API_SCOPE],
    features: {
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo(ctx, indicator) {
          if (indicator !== RESOURCE) throw new errors.InvalidTarget();
          return {
            scope: API_SCOPE,
            audience,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: jwks.keys[0].alg ?? 'RS256' } },
          };
        },
      },
    },
    ttl: {
      AccessToken: (ctx, token, client) => CLIENT_TTL[client?.clientId] ?? tokenTtl,
      IdToken: 3600,
      Interaction: 600,
      Session: tokenTtl,
      Grant: tokenTtl,
    },
    async findAccount(ctx, id) {
      const found = account(id);
      if (!found) return undefined;
      return { accountId: id, claims: () => ({ sub: id, name: found.name }) };
    },
    // Roles and HR org scope travel in the access token, read from the accounts file.
    async extraTokenClaims(ctx, token) {
      if (token.kind !== 'AccessToken' || !token.accountId) return undefined;
      const found = account(token.accountId);
      if (!found) return undefined;
      return { roles: found.roles ?? [], org_units: found.org_units ?? [], name: found.name };
    },
    // First-party clients only: sign-in grants the API scope without a consent page.
    async loadExistingGrant(ctx) {
      const grantId =
        ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid profile');
      grant.addResourceScope(RESOURCE, API_SCOPE);
      await grant.save();
      return grant;
    },
  });
  oidc.on('server_error', (ctx, error) => console.error('talent issuer: server error', error));
  return oidc.callback();
}

function loadKeys() {
  const jwks = readJson(keysPath, 'keys');
  if (!Array.isArray(jwks.keys) || jwks.keys.length === 0) fail(`${keysPath} holds no keys`);
  return jwks;
}

let jwks = loadKeys();
let handle = provider(jwks);
const kids = (set) => set.keys.map((k) => k.kid).join(', ');

watchFile(keysPath, { interval: 500 }, () => {
  try {
    const next = JSON.parse(readFileSync(keysPath, 'utf8'));
    if (!Array.isArray(next.keys) || next.keys.length === 0) throw new Error('no keys');
    handle = provider(next);
    jwks = next;
    console.log(`talent issuer: keys reloaded, signing with ${next.keys[0].kid} (published: ${kids(next)})`);
  } catch (error) {
    // A half-written file: keep serving the previous keys; the next change retries.
    console.error(`talent issuer: keeping the previous keys: ${error.message}`);
  }
});

createServer((req, res) => handle(req, res)).listen(Number(port), hostname, () => {
  console.log(`talent issuer: ${issuer} (signing with ${jwks.keys[0].kid}, published: ${kids(jwks)})`);
});
