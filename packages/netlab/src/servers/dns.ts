// A lab resolver: answers A/AAAA for the lab's names over UDP and logs every query, with who asked, as one
// JSON line (written before the answer is sent, so a client that got its answer can read the log at once).
// Run inside a lab namespace: node dns.js <config.json>. Prints READY once every address is bound.
import { createSocket, type Socket } from 'node:dgram';
import { appendFileSync, readFileSync } from 'node:fs';
import { answerDnsMessage, dnsTypeName } from '../dns-wire.js';
import { type DnsLogRecord, type DnsServerConfig } from './types.js';

function main(): void {
  const path = process.argv[2];
  if (path === undefined) throw new Error('usage: dns.js <config.json>');
  const config = JSON.parse(readFileSync(path, 'utf8')) as DnsServerConfig;
  const sockets: Socket[] = [];
  let pending = config.listen.length;
  for (const address of config.listen) {
    const socket = address.includes(':')
      ? createSocket({ type: 'udp6', ipv6Only: true })
      : createSocket({ type: 'udp4' });
    sockets.push(socket);
    socket.on('error', (error) => {
      process.stderr.write(`dns ${config.resolver}: ${address}: ${error.message}\n`);
      process.exit(1);
    });
    socket.on('message', (message, rinfo) => {
      const { query, response } = answerDnsMessage(config.zone, message);
      if (query !== undefined) {
        const record: DnsLogRecord = {
          time: new Date().toISOString(),
          resolver: config.resolver,
          server: address,
          from: rinfo.address,
          fromPort: rinfo.port,
          name: query.name,
          type: dnsTypeName(query.type),
          rcode: response === undefined ? -1 : response.readUInt16BE(2) & 0x0f,
        };
        appendFileSync(config.log, JSON.stringify(record) + '\n');
      }
      if (response !== undefined) socket.send(response, rinfo.port, rinfo.address);
    });
    socket.bind(config.port, address, () => {
      pending -= 1;
      if (pending === 0) process.stdout.write(`READY dns ${config.resolver} ${config.listen.join(' ')}\n`);
    });
  }
  const stop = (): void => {
    for (const socket of sockets) socket.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
