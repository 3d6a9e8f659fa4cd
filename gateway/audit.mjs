#!/usr/bin/env node
// GraphQL-over-HTTP conformance audit of a running gateway: runs every server audit of
// the graphql-http package (its `serverAudits`) against a URL, sending a bearer token
// with each request (the gateway answers 401 before any GraphQL without one), and prints
// passed/total and every failure with its reason and response.
//
//   node audit.mjs http://127.0.0.1:4000/graphql --token "$TOKEN"
//   TALENT_TOKEN="$TOKEN" node audit.mjs http://127.0.0.1:4000/graphql
//   node audit.mjs URL --token T --json    # one JSON object instead of text (tests)
//
// Exit status: 0 when every audit passed, 1 when any failed (MUST, SHOULD or MAY), 2 on
// wrong usage or when the server cannot be reached.
import { serverAudits } from 'graphql-http';

function usage(message) {
  if (message) console.error(`audit.mjs: ${message}`);
  console.error('usage: node audit.mjs URL [--token TOKEN] [--json]   (or TALENT_TOKEN)');
  process.exit(2);
}

const args = process.argv.slice(2);
let url;
let token = process.env.TALENT_TOKEN || undefined;
let json = false;
for (let i = 0; i < args.length; i += 1) {
  if (args[i] === '--token') token = args[++i] ?? usage('--token needs a value');
  else if (args[i] === '--json') json = true;
  else if (args[i].startsWith('-')) usage(`unknown option ${args[i]}`);
  else if (url === undefined) url = args[i];
  else usage(`unexpected argument ${args[i]}`);
}
if (!url) usage('no URL');
try {
  new URL(url);
} catch {
  usage(`not a URL: ${url}`);
}

// Every audit request goes through this: the token is added unless the audit set its own
// authorization header (none does today).
async function fetchWithToken(input, init = {}) {
  const headers = new Headers(init.headers);
  if (token && !headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers, signal: AbortSignal.timeout(15000) });
}

// Fail fast with one clear line when nothing answers, rather than 61 identical failures.
try {
  await fetchWithToken(url, { method: 'GET' });
} catch (error) {
  console.error(`audit.mjs: ${url} cannot be reached: ${error.cause?.message ?? error.message}`);
  process.exit(2);
}

async function describe(response) {
  if (!response) return '';
  let body = '';
  try {
    body = await response.clone().text();
  } catch {
    body = '(body already read)';
  }
  if (body.length > 500) body = `${body.slice(0, 500)}…`;
  return `HTTP ${response.status} ${response.headers.get('content-type') ?? ''} ${body}`.trim();
}

const results = [];
// One at a time, in the package's order: the audits are small and a shared dev machine
// gains nothing from running them at once.
for (const audit of serverAudits({ url, fetchFn: fetchWithToken })) {
  let result;
  try {
    result = await audit.fn();
  } catch (error) {
    result = { id: audit.id, name: audit.name, status: 'error', reason: `threw: ${error.message}` };
  }
  const failure =
    result.status === 'ok'
      ? undefined
      : { reason: result.reason, response: await describe(result.response) };
  results.push({ id: result.id, name: result.name, status: result.status, ...failure });
}

const passed = results.filter((r) => r.status === 'ok').length;
const failures = results.filter((r) => r.status !== 'ok');
if (json) {
  console.log(JSON.stringify({ url, passed, total: results.length, failures }, null, 2));
} else {
  for (const f of failures) {
    console.log(`FAIL [${f.status}] ${f.id} ${f.name}\n  reason: ${f.reason}\n  response: ${f.response}`);
  }
  console.log(`${passed}/${results.length} audits passed`);
}
process.exit(failures.length === 0 ? 0 : 1);
