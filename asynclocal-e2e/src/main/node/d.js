'use strict';
// Service D: the Node.js end of the chain. No npm packages, only node:http and node:async_hooks.
//
// C calls GET /orders/<order> with the request id in a W3C `baggage` header. D reads the header
// itself, runs the handler inside als.run() with what it found, and from then on every log line,
// across timers and promise continuations, takes the id from als.getStore(): the same rule the
// Java services follow with asynclocal. The reply carries the id in its body and in a `baggage`
// header D builds itself.
//
// Started by the launcher as `node d.js`; prints `READY port=<port>` once it listens on loopback,
// and exits when its standard input closes, that is when the launcher stops it or goes away.

const http = require('node:http');
const { AsyncLocalStorage } = require('node:async_hooks');

const als = new AsyncLocalStorage();

// "<request id> <message>", the shape of the Java services' lines; "-" outside any request.
function log(message) {
  const store = als.getStore();
  console.log(`${(store && store.requestId) || '-'} ${message}`);
}

// An HTTP token: what a baggage key must be.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// What asynclocal's request-id filter accepts from a client: 1 to 128 visible ASCII characters.
const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

// W3C Baggage: comma-separated `key=value` members, optional whitespace around them, values
// percent-encoded, properties after `;` ignored. A malformed member is dropped, not fatal. Node
// joins repeated `baggage` headers with ", ", which reads as one list, as the specification says.
function parseBaggage(header) {
  const entries = {};
  if (typeof header !== 'string') {
    return entries;
  }
  for (const member of header.split(',')) {
    const pair = member.split(';')[0];
    const eq = pair.indexOf('=');
    if (eq < 0) {
      continue;
    }
    const key = pair.slice(0, eq).trim();
    if (!TOKEN.test(key)) {
      continue;
    }
    try {
      entries[key] = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch (e) {
      // a `%` not followed by two hex digits, or escapes that are not UTF-8: drop the member
    }
  }
  return entries;
}

// The opposite direction: every value percent-encoded, which leaves only baggage-octets.
function formatBaggage(entries) {
  return Object.entries(entries)
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join(',');
}

// D's "work": a timer, so that the handler continues in a later turn of the event loop, where
// nothing but AsyncLocalStorage remembers which request it serves. The random length makes
// concurrent requests finish in another order than they came.
function work() {
  return new Promise((resolve) => setTimeout(resolve, 10 + Math.floor(Math.random() * 40)));
}

async function handle(req, res) {
  const order = decodeURIComponent(new URL(req.url, 'http://d.invalid').pathname.split('/').pop());
  log(`handling ${order} (${req.method} ${req.url})`);
  await work();
  const { requestId } = als.getStore();
  if (!requestId) {
    log(`no request id in the baggage for ${order}`);
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`D got ${order} without a request id\n`);
    return;
  }
  log(`${order} done, answering`);
  res.writeHead(200, {
    'content-type': 'text/plain; charset=utf-8',
    baggage: formatBaggage({ requestId, handledBy: 'D' }),
  });
  res.end(`D handled ${order} for request ${requestId}`);
}

const server = http.createServer((req, res) => {
  const baggage = parseBaggage(req.headers.baggage);
  const requestId = REQUEST_ID.test(baggage.requestId || '') ? baggage.requestId : undefined;
  als.run({ requestId, baggage }, () => {
    handle(req, res).catch((error) => {
      log(`failed: ${error}`);
      res.writeHead(500);
      res.end();
    });
  });
});

server.listen(0, '127.0.0.1', () => {
  console.log(`READY port=${server.address().port}`);
});

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
