#!/usr/bin/env node
/**
 * The container's health check: exit 0 when this container's audit-relay answers GET /healthz
 * with 200, else 1. The image runs either command (serve or konnect) on any address, over
 * HTTP or HTTPS, so it asks every address the environment configures (AUDIT_RELAY_LISTEN,
 * AUDIT_RELAY_KONNECT_LISTEN, else their defaults), each over HTTP and HTTPS, on loopback. A
 * certificate is not checked: this is the process asking itself whether it is alive.
 */
'use strict';
const http = require('node:http');
const https = require('node:https');

const TIMEOUT_MS = 2000;
const addresses = [process.env.AUDIT_RELAY_LISTEN || '127.0.0.1:8080', process.env.AUDIT_RELAY_KONNECT_LISTEN || '127.0.0.1:8081'];
const ports = [...new Set(addresses.map((address) => Number(address.slice(address.lastIndexOf(':') + 1))).filter((port) => port > 0))];

function healthy(client, port) {
  return new Promise((resolve) => {
    const request = client.get({ host: '127.0.0.1', port, path: '/healthz', rejectUnauthorized: false, timeout: TIMEOUT_MS }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

Promise.all(ports.flatMap((port) => [healthy(http, port), healthy(https, port)])).then((answers) => process.exit(answers.includes(true) ? 0 : 1));
