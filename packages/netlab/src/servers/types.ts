// Shapes shared by the lab and its server scripts (kept apart: importing a script would run it).
import { type Zone } from '../config.js';

export interface DnsServerConfig {
  /** The resolver's name in the log: 'isp' or a relay name. */
  resolver: string;
  listen: string[];
  port: number;
  zone: Zone;
  log: string;
}

/** One line of a resolver's query log. */
export interface DnsLogRecord {
  time: string;
  resolver: string;
  /** The address the query was sent to. */
  server: string;
  /** The asker. */
  from: string;
  fromPort: number;
  name: string;
  type: string;
  rcode: number;
}

export interface HttpServerConfig {
  listen: { host: string; port: number }[];
  /** Largest /bytes/<n> served. */
  maxBytes: number;
}
