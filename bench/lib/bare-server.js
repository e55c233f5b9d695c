'use strict';
// B0's reference ceiling: the least a Node HTTP server can do (204, no body).
const http = require('node:http');

const server = http.createServer((req, res) => {
  res.statusCode = 204;
  res.end();
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ bareServer: 'ready', port: server.address().port })}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The bench keeps our stdin open; if it dies, we go too.
process.stdin.on('end', stop);
process.stdin.resume();
