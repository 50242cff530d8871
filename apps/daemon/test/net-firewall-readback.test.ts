// The read-back parsers on output captured from nft 1.0.6 (Debian 12) in a scratch network namespace.
import { describe, expect, it } from 'vitest';
import {
  compareChains,
  parseCountersJson,
  parseEcho,
  parseTableJson,
  type ListedChain,
} from '../src/net/firewall-readback.js';
import { firewallChains, priorityValue } from '../src/net/firewall-rules.js';
import { mssClamp, splitChains, tunnelPolicies, wg0Tunnel } from './firewall-fixtures.js';

/** The chains of the policy the captures below were taken with: `wg0`, one resolver, one gateway, MSS clamped. */
const connected = firewallChains({ ...tunnelPolicies(wg0Tunnel).connectedOneGateway, mssClamp });

/** The chains split tunnelling will add, built by hand. */
const split = splitChains({ selector: 'meta cgroup 1234', restore: true });

/**
 * `nft -e -a -f -` of the update from connecting (pinging both gateways) to `connected` (one gateway: a
 * rule goes, so not a grow). Existing counters are not echoed; the chains are, with their old handles.
 */
const UPDATE_ECHO = `add chain inet sluice prerouting { type filter hook prerouting priority raw; policy accept; } # handle 1
add chain inet sluice input { type filter hook input priority filter; policy drop; } # handle 2
add chain inet sluice output { type filter hook output priority filter; policy drop; } # handle 3
add chain inet sluice forward { type filter hook forward priority filter; policy drop; } # handle 4
add counter inet sluice mss-in-4 { # handle 43 packets 0 bytes 0 } 
add counter inet sluice mss-in-6 { # handle 44 packets 0 bytes 0 } 
add counter inet sluice spoofed-tunnel-address-4 { # handle 45 packets 0 bytes 0 } 
add counter inet sluice spoofed-tunnel-address-6 { # handle 46 packets 0 bytes 0 } 
add counter inet sluice tunnel-in-4 { # handle 47 packets 0 bytes 0 } 
add counter inet sluice tunnel-in-6 { # handle 48 packets 0 bytes 0 } 
add counter inet sluice mss-out-4 { # handle 49 packets 0 bytes 0 } 
add counter inet sluice mss-out-6 { # handle 50 packets 0 bytes 0 } 
add counter inet sluice dns-udp-4 { # handle 51 packets 0 bytes 0 } 
add counter inet sluice dns-tcp-4 { # handle 52 packets 0 bytes 0 } 
add counter inet sluice tunnel-out-4 { # handle 53 packets 0 bytes 0 } 
add counter inet sluice tunnel-out-6 { # handle 54 packets 0 bytes 0 } 
add rule inet sluice prerouting iifname "wg0" meta nfproto ipv4 tcp flags syn / syn,rst tcp option maxseg size > 1096 tcp option maxseg size set 1096 counter name "mss-in-4" comment "mss-in-4" # handle 55
add rule inet sluice prerouting handle 55 iifname "wg0" meta nfproto ipv6 tcp flags syn / syn,rst tcp option maxseg size > 1076 tcp option maxseg size set 1076 counter name "mss-in-6" comment "mss-in-6" # handle 56
add rule inet sluice prerouting handle 56 iifname != "wg0" ip daddr 10.64.0.2 counter name "spoofed-tunnel-address-4" drop comment "spoofed-tunnel-address-4" # handle 57
add rule inet sluice prerouting iifname != "wg0" ip6 daddr fc00:bbbb::2 counter name "spoofed-tunnel-address-6" drop comment "spoofed-tunnel-address-6" # handle 58
add rule inet sluice input handle 31 iif "lo" counter name "loopback-in" accept comment "loopback-in" # handle 59
add rule inet sluice input handle 59 udp sport 67 udp dport 68 counter name "dhcp4-in" accept comment "dhcp4-in" # handle 60
add rule inet sluice input handle 60 ip6 saddr fe80::/10 udp sport 547 udp dport 546 counter name "dhcp6-in" accept comment "dhcp6-in" # handle 61
add rule inet sluice input handle 61 icmpv6 type { nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert, nd-redirect } ip6 hoplimit 255 counter name "ndp-in" accept comment "ndp-in" # handle 63
add rule inet sluice input handle 63 ip saddr 203.0.113.2 udp sport 51820 ct state established counter name "relay-in" accept comment "relay-in" # handle 64
add rule inet sluice input handle 64 iifname "wg0" ip saddr 10.64.0.1 ct state established,related counter name "gateway-reply-4" accept comment "gateway-reply-4" # handle 65
add rule inet sluice input handle 65 iifname "wg0" meta nfproto ipv4 ct state established,related counter name "tunnel-in-4" accept comment "tunnel-in-4" # handle 66
add rule inet sluice input handle 66 iifname "wg0" meta nfproto ipv6 ct state established,related counter name "tunnel-in-6" accept comment "tunnel-in-6" # handle 67
add rule inet sluice input icmp type echo-reply ct state established counter name "latency-probe-in" accept comment "latency-probe-in" # handle 68
add rule inet sluice output handle 42 oifname "wg0" meta nfproto ipv4 tcp flags syn / syn,rst tcp option maxseg size > 1096 tcp option maxseg size set 1096 counter name "mss-out-4" comment "mss-out-4" # handle 69
add rule inet sluice output handle 69 oifname "wg0" meta nfproto ipv6 tcp flags syn / syn,rst tcp option maxseg size > 1076 tcp option maxseg size set 1076 counter name "mss-out-6" comment "mss-out-6" # handle 70
add rule inet sluice output handle 70 oif "lo" counter name "loopback-out" accept comment "loopback-out" # handle 71
add rule inet sluice output handle 71 udp sport 68 udp dport 67 counter name "dhcp4-out" accept comment "dhcp4-out" # handle 72
add rule inet sluice output handle 72 ip6 daddr ff02::1:2 udp sport 546 udp dport 547 counter name "dhcp6-out" accept comment "dhcp6-out" # handle 73
add rule inet sluice output handle 73 icmpv6 type { nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 counter name "ndp-out" accept comment "ndp-out" # handle 75
add rule inet sluice output handle 75 meta mark 0x0000534c icmp type echo-request limit rate 100/second burst 100 packets counter name "latency-probe-out" accept comment "latency-probe-out" # handle 76
add rule inet sluice output handle 76 meta mark 0x0000534c ip daddr 203.0.113.2 udp dport 51820 counter name "relay-out" accept comment "relay-out" # handle 77
add rule inet sluice output handle 77 oifname "wg0" ip daddr 10.64.0.1 icmp type echo-request counter name "gateway-ping-4" accept comment "gateway-ping-4" # handle 78
add rule inet sluice output handle 78 oifname "wg0" ip daddr 10.64.0.1 udp dport 53 counter name "dns-udp-4" accept comment "dns-udp-4" # handle 79
add rule inet sluice output handle 79 oifname "wg0" ip daddr 10.64.0.1 tcp dport 53 counter name "dns-tcp-4" accept comment "dns-tcp-4" # handle 80
add rule inet sluice output handle 80 udp dport 53 counter name "dns-reject-udp" reject comment "dns-reject-udp" # handle 81
add rule inet sluice output handle 81 tcp dport 53 counter name "dns-reject-tcp" reject with tcp reset comment "dns-reject-tcp" # handle 82
add rule inet sluice output handle 82 oifname "wg0" meta nfproto ipv4 counter name "tunnel-out-4" accept comment "tunnel-out-4" # handle 83
add rule inet sluice output oifname "wg0" meta nfproto ipv6 counter name "tunnel-out-6" accept comment "tunnel-out-6" # handle 84
# new generation 3 by process 30789 (nft)
`;

/**
 * `nft -e -a -f -` of the grow from connecting (pinging 10.64.0.1) to `connected`: only the new counters and
 * rules. `insert rule` for the rules placed before a kept one; the `handle N` after the chain name is the
 * rule before it at commit time, left out for the first and the last rule of a chain.
 */
const GROW_ECHO = `add counter inet sluice mss-in-4 { # handle 39 packets 0 bytes 0 } 
add counter inet sluice mss-in-6 { # handle 40 packets 0 bytes 0 } 
add counter inet sluice spoofed-tunnel-address-4 { # handle 41 packets 0 bytes 0 } 
add counter inet sluice spoofed-tunnel-address-6 { # handle 42 packets 0 bytes 0 } 
add counter inet sluice tunnel-in-4 { # handle 43 packets 0 bytes 0 } 
add counter inet sluice tunnel-in-6 { # handle 44 packets 0 bytes 0 } 
add counter inet sluice mss-out-4 { # handle 45 packets 0 bytes 0 } 
add counter inet sluice mss-out-6 { # handle 46 packets 0 bytes 0 } 
add counter inet sluice dns-udp-4 { # handle 47 packets 0 bytes 0 } 
add counter inet sluice dns-tcp-4 { # handle 48 packets 0 bytes 0 } 
add counter inet sluice tunnel-out-4 { # handle 49 packets 0 bytes 0 } 
add counter inet sluice tunnel-out-6 { # handle 50 packets 0 bytes 0 } 
add rule inet sluice prerouting iifname "wg0" meta nfproto ipv4 tcp flags syn / syn,rst tcp option maxseg size > 1096 tcp option maxseg size set 1096 counter name "mss-in-4" comment "mss-in-4" # handle 51
add rule inet sluice prerouting handle 51 iifname "wg0" meta nfproto ipv6 tcp flags syn / syn,rst tcp option maxseg size > 1076 tcp option maxseg size set 1076 counter name "mss-in-6" comment "mss-in-6" # handle 52
add rule inet sluice prerouting handle 52 iifname != "wg0" ip daddr 10.64.0.2 counter name "spoofed-tunnel-address-4" drop comment "spoofed-tunnel-address-4" # handle 53
add rule inet sluice prerouting iifname != "wg0" ip6 daddr fc00:bbbb::2 counter name "spoofed-tunnel-address-6" drop comment "spoofed-tunnel-address-6" # handle 54
insert rule inet sluice input handle 27 iifname "wg0" meta nfproto ipv4 ct state established,related counter name "tunnel-in-4" accept comment "tunnel-in-4" # handle 55
insert rule inet sluice input handle 55 iifname "wg0" meta nfproto ipv6 ct state established,related counter name "tunnel-in-6" accept comment "tunnel-in-6" # handle 56
insert rule inet sluice output oifname "wg0" meta nfproto ipv4 tcp flags syn / syn,rst tcp option maxseg size > 1096 tcp option maxseg size set 1096 counter name "mss-out-4" comment "mss-out-4" # handle 57
insert rule inet sluice output handle 57 oifname "wg0" meta nfproto ipv6 tcp flags syn / syn,rst tcp option maxseg size > 1076 tcp option maxseg size set 1076 counter name "mss-out-6" comment "mss-out-6" # handle 58
insert rule inet sluice output handle 36 oifname "wg0" ip daddr 10.64.0.1 udp dport 53 counter name "dns-udp-4" accept comment "dns-udp-4" # handle 59
insert rule inet sluice output handle 59 oifname "wg0" ip daddr 10.64.0.1 tcp dport 53 counter name "dns-tcp-4" accept comment "dns-tcp-4" # handle 60
add rule inet sluice output handle 38 oifname "wg0" meta nfproto ipv4 counter name "tunnel-out-4" accept comment "tunnel-out-4" # handle 61
add rule inet sluice output oifname "wg0" meta nfproto ipv6 counter name "tunnel-out-6" accept comment "tunnel-out-6" # handle 62
# new generation 3 by process 30791 (nft)
`;

/** `nft -j list table inet sluice` right after GROW_ECHO. */
const GROW_JSON = `{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"table": {"family": "inet", "name": "sluice", "handle": 2}}, {"counter": {"family": "inet", "name": "loopback-in", "table": "sluice", "handle": 5, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "dhcp4-in", "table": "sluice", "handle": 6, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "dhcp6-in", "table": "sluice", "handle": 7, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "ndp-in", "table": "sluice", "handle": 8, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "relay-in", "table": "sluice", "handle": 9, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "gateway-reply-4", "table": "sluice", "handle": 10, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "latency-probe-in", "table": "sluice", "handle": 11, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "loopback-out", "table": "sluice", "handle": 12, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "dhcp4-out", "table": "sluice", "handle": 13, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "dhcp6-out", "table": "sluice", "handle": 14, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "ndp-out", "table": "sluice", "handle": 15, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "latency-probe-out", "table": "sluice", "handle": 16, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "relay-out", "table": "sluice", "handle": 17, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "gateway-ping-4", "table": "sluice", "handle": 18, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "dns-reject-udp", "table": "sluice", "handle": 19, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "dns-reject-tcp", "table": "sluice", "handle": 20, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "mss-in-4", "table": "sluice", "handle": 39, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "mss-in-6", "table": "sluice", "handle": 40, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "spoofed-tunnel-address-4", "table": "sluice", "handle": 41, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "spoofed-tunnel-address-6", "table": "sluice", "handle": 42, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "tunnel-in-4", "table": "sluice", "handle": 43, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "tunnel-in-6", "table": "sluice", "handle": 44, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "mss-out-4", "table": "sluice", "handle": 45, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "mss-out-6", "table": "sluice", "handle": 46, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "dns-udp-4", "table": "sluice", "handle": 47, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "dns-tcp-4", "table": "sluice", "handle": 48, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "tunnel-out-4", "table": "sluice", "handle": 49, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "tunnel-out-6", "table": "sluice", "handle": 50, "packets": 0, "bytes": 0}}, {"chain": {"family": "inet", "table": "sluice", "name": "prerouting", "handle": 1, "type": "filter", "hook": "prerouting", "prio": -300, "policy": "accept"}}, {"chain": {"family": "inet", "table": "sluice", "name": "input", "handle": 2, "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}}, {"chain": {"family": "inet", "table": "sluice", "name": "output", "handle": 3, "type": "filter", "hook": "output", "prio": 0, "policy": "drop"}}, {"chain": {"family": "inet", "table": "sluice", "name": "forward", "handle": 4, "type": "filter", "hook": "forward", "prio": 0, "policy": "drop"}}, {"rule": {"family": "inet", "table": "sluice", "chain": "prerouting", "handle": 51, "comment": "mss-in-4", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "wg0"}}, {"match": {"op": "==", "left": {"meta": {"key": "nfproto"}}, "right": "ipv4"}}, {"match": {"op": "==", "left": {"&": [{"payload": {"protocol": "tcp", "field": "flags"}}, ["syn", "rst"]]}, "right": "syn"}}, {"match": {"op": ">", "left": {"tcp option": {"name": "maxseg", "field": "size"}}, "right": 1096}}, {"mangle": {"key": {"tcp option": {"name": "maxseg", "field": "size"}}, "value": 1096}}, {"counter": "mss-in-4"}]}}, {"rule": {"family": "inet", "table": "sluice", "chain": "prerouting", "handle": 52, "comment": "mss-in-6", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "wg0"}}, {"match": {"op": "==", "left": {"meta": {"key": "nfproto"}}, "right": "ipv6"}}, {"match": {"op": "==", "left": {"&": [{"payload": {"protocol": "tcp", "field": "flags"}}, ["syn", "rst"]]}, "right": "syn"}}, {"match": {"op": ">", "left": {"tcp option": {"name": "maxseg", "field": "size"}}, "right": 1076}}, {"mangle": {"key": {"tcp option": {"name": "maxseg", "field": "size"}}, "value": 1076}}, {"counter": "mss-in-6"}]}}, {"rule": {"family": "inet", "table": "sluice", "chain": "prerouting", "handle": 53, "comment": "spoofed-tunnel-address-4", "expr": [{"match": {"op": "!=", "left": {"meta": {"key": "iifname"}}, "right": "wg0"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "10.64.0.2"}}, {"counter": "spoofed-tunnel-address-4"}, {"drop": null}]}}, {"rule": {"family": "inet", "table": "sluice", "chain": "prerouting", "handle": 54, "comment": "spoofed-tunnel-address-6", "expr": [{"match": {"op": "!=", "left": {"meta": {"key": "iifname"}}, "right": "wg0"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "ip6", "field": "daddr"}}, "right": "fc00:bbbb::2"}}, {"counter": "spoofed-tunnel-address-6"}, {"drop": null}]}}, {"rule": {"family": "inet", "table": "sluice", "chain": "input", "handle": 21, "comment": "loopback-in", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iif"}}, "right": "lo"}}, {"counter": "loopback-in"}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "sluice", "chain": "input", "handle": 22, "comment": "dhcp4-in", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "sport"}}, "right": 67}}, {"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "dport"}}, "right": 68}}, {"counter": "dhcp4-in"}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "sluice", "chain": "input", "handle": 23, "comment": "dhcp6-in", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip6", "field": "saddr"}}, "right": {"prefix": {"addr": "fe80::", "len": 10}}}}, {"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "sport"}}, "right": 547}}, {"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "dport"}}, "right": 546}}, {"counter": "dhcp6-in"}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "sluice", "chain": "input", "handle": 25, "comment": "ndp-in", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "icmpv6", "field": "type"}}, "right": {"set": ["nd-router-advert", "nd-neighbor-solicit", "nd-neighbor-advert", "nd-redirect"]}}}, {"match": {"op": "==", "left": {"payload": {"protocol": "ip6", "field": "hoplimit"}}, "right": 255}}, {"counter": "ndp-in"}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "sluice", "chain": "input", "handle": 26, "comment": "relay-in", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "203.0.113.2"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "sport"}}, "right": 51820}}, {"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": "established"}}, {"counter": "relay-in"}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "sluice", "chain": "input", "handle": 27, "comment": "gateway-reply-4", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "wg0"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "10.64.0.1"}}, {"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}}, {"counter": "gateway-reply-4"}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "sluice", "chain": "input", "handle": 55, "comment": "tunnel-in-4", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "wg0"}}, {"match": {"op": "==", "left": {"meta": {"key": "nfproto"}}, "right": "ipv4"}}, {"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}}, {"counter": "tunnel-in-4"}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "sluice", "chain": "input", "handle": 56, "comment": "tunnel-in-6", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "wg0"}}, {"match": {"op": "==", "left": {"meta": {"key": "nfproto"}}, "right": "ipv6"}}, {"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}}, {"counter": "tunnel-in-6"}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "sluice", "chain": "input", "handle": 28, "comment": "latency-probe-in", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "icmp", "field": "type"}}, "right": "echo-reply"}}, {"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": "established"}}, {"counter": "latency-probe-in"}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "sluice", "chain": "output", "handle": 57, "comment": "mss-out-4", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "wg0"}}, {"match": {"op": "==", "left": {"meta": {"key": "nfproto"}}, "right": "ipv4"}}, {"match": {"op": "==", "left": {"&": [{"payload": {"protocol": "tcp", "field": "flags"}}, ["syn", "rst"]]}, "right": "syn"}}, {"match": {"op": ">", "left": {"tcp option": {"name": "maxseg", "field": "size"}}, "right": 1096}}, {"mangle": {"key": {"tcp option": {"name": "maxseg", "field": "size"}}, "value": 1096}}, {"counter": "mss-out-4"}]}}, {"rule": {"family": "inet", "table": "sluice", "chain": "output", "handle": 58, "comment": "mss-out-6", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "wg0"}}, {"match": {"op": "==", "left": {"meta": {"key": "nfproto"}}, "right": "ipv6"}}, {"match": {"op": "==", "left": {"&": [{"payload": {"protocol": "tcp", "field": "flags"}}, ["syn", "rst"]]}, "right": "syn"}}, {"match": {"op": ">", "left": {"tcp option": {"name": "maxseg", "field": "size"}}, "right": 1076}}, {"mangle": {"key": {"tcp option": {"name": "maxseg", "field": "size"}}, "value": 1076}}, {"counter": "mss-out-6"}]}}, {"rule": {"family": "inet", "table": "sluice", "chain": "output", "handle": 29, "comment": "loopback-out", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "oif"}}, "right": "lo"}}, {"counter": "loopback-out"}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "sluice", "chain": "output", "handle": 30, "comment": "dhcp4-out", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "sport"}}, "right": 68}}, {"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "dport"}}, "right": 67}}, {"counter": "dhcp4-out"}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "sluice", "chain": "output", "handle": 31, "comment": "dhcp6-out", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip6", "field": "daddr"}}, "right": "ff02::1:2"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "sport"}}, "right": 546}}, {"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "dport"}}, "right": 547}}, {"counter": "dhcp6-out"}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "sluice", "chain": "output", "handle": 33, "comment": "ndp-out", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "icmpv6", "field": "type"}}, "right": {"set": ["nd-router-solicit", "nd-neighbor-solicit", "nd-neighbor-advert"]}}}, {"match": {"op": "==", "left": {"payload": {"protocol": "ip6", "field": "hoplimit"}}, "right": 255}}, {"counter": "ndp-out"}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "sluice", "chain": "output", "handle": 34, "comment": "latency-probe-out", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "mark"}}, "right": 21324}}, {"match": {"op": "==", "left": {"payload": {"protocol": "icmp", "field": "type"}}, "right": "echo-request"}}, {"limit": {"rate": 100, "burst": 100, "per": "second"}}, {"counter": "latency-probe-out"}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "sluice", "chain": "output", "handle": 35, "comment": "relay-out", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "mark"}}, "right": 21324}}, {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "203.0.113.2"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "dport"}}, "right": 51820}}, {"counter": "relay-out"}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "sluice", "chain": "output", "handle": 36, "comment": "gateway-ping-4", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "wg0"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "10.64.0.1"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "icmp", "field": "type"}}, "right": "echo-request"}}, {"counter": "gateway-ping-4"}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "sluice", "chain": "output", "handle": 59, "comment": "dns-udp-4", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "wg0"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "10.64.0.1"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "dport"}}, "right": 53}}, {"counter": "dns-udp-4"}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "sluice", "chain": "output", "handle": 60, "comment": "dns-tcp-4", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "wg0"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "10.64.0.1"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 53}}, {"counter": "dns-tcp-4"}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "sluice", "chain": "output", "handle": 37, "comment": "dns-reject-udp", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "dport"}}, "right": 53}}, {"counter": "dns-reject-udp"}, {"reject": {"type": "icmpx", "expr": "port-unreachable"}}]}}, {"rule": {"family": "inet", "table": "sluice", "chain": "output", "handle": 38, "comment": "dns-reject-tcp", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 53}}, {"counter": "dns-reject-tcp"}, {"reject": {"type": "tcp reset"}}]}}, {"rule": {"family": "inet", "table": "sluice", "chain": "output", "handle": 61, "comment": "tunnel-out-4", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "wg0"}}, {"match": {"op": "==", "left": {"meta": {"key": "nfproto"}}, "right": "ipv4"}}, {"counter": "tunnel-out-4"}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "sluice", "chain": "output", "handle": 62, "comment": "tunnel-out-6", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "wg0"}}, {"match": {"op": "==", "left": {"meta": {"key": "nfproto"}}, "right": "ipv6"}}, {"counter": "tunnel-out-6"}, {"accept": null}]}}]}`;

/** `nft -e -a -f -` replacing the table with `split`. */
const SPLIT_ECHO = `add table inet sluice # handle 3
add table inet sluice # handle 4
add chain inet sluice split_route { type route hook output priority mangle; policy accept; } # handle 1
add chain inet sluice split_nat { type nat hook postrouting priority srcnat; policy accept; } # handle 2
add chain inet sluice split_prerouting { type filter hook prerouting priority filter - 5; policy accept; } # handle 3
add chain inet sluice policy_split # handle 4
add counter inet sluice split-mark { # handle 5 packets 0 bytes 0 } 
add counter inet sluice split-masquerade { # handle 6 packets 0 bytes 0 } 
add counter inet sluice split-restore { # handle 7 packets 0 bytes 0 } 
add rule inet sluice split_route meta cgroup 1234 counter name "split-mark" meta mark set 0x6d6f6c65 comment "split-mark" # handle 8
add rule inet sluice split_nat meta mark 0x6d6f6c65 oifname != "lo" counter name "split-masquerade" masquerade comment "split-masquerade" # handle 9
add rule inet sluice split_prerouting ct mark 0x6d6f6c65 counter name "split-restore" meta mark set ct mark comment "split-restore" # handle 10
# new generation 6 by process 28548 (nft)
`;

/** `nft -j list table inet sluice` right after SPLIT_ECHO. */
const SPLIT_JSON = `{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"table": {"family": "inet", "name": "sluice", "handle": 4}}, {"counter": {"family": "inet", "name": "split-mark", "table": "sluice", "handle": 5, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "split-masquerade", "table": "sluice", "handle": 6, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "split-restore", "table": "sluice", "handle": 7, "packets": 0, "bytes": 0}}, {"chain": {"family": "inet", "table": "sluice", "name": "split_route", "handle": 1, "type": "route", "hook": "output", "prio": -150, "policy": "accept"}}, {"chain": {"family": "inet", "table": "sluice", "name": "split_nat", "handle": 2, "type": "nat", "hook": "postrouting", "prio": 100, "policy": "accept"}}, {"chain": {"family": "inet", "table": "sluice", "name": "split_prerouting", "handle": 3, "type": "filter", "hook": "prerouting", "prio": -5, "policy": "accept"}}, {"chain": {"family": "inet", "table": "sluice", "name": "policy_split", "handle": 4}}, {"rule": {"family": "inet", "table": "sluice", "chain": "split_route", "handle": 8, "comment": "split-mark", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "cgroup"}}, "right": 1234}}, {"counter": "split-mark"}, {"mangle": {"key": {"meta": {"key": "mark"}}, "value": 1836018789}}]}}, {"rule": {"family": "inet", "table": "sluice", "chain": "split_nat", "handle": 9, "comment": "split-masquerade", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "mark"}}, "right": 1836018789}}, {"match": {"op": "!=", "left": {"meta": {"key": "oifname"}}, "right": "lo"}}, {"counter": "split-masquerade"}, {"masquerade": null}]}}, {"rule": {"family": "inet", "table": "sluice", "chain": "split_prerouting", "handle": 10, "comment": "split-restore", "expr": [{"match": {"op": "==", "left": {"ct": {"key": "mark"}}, "right": 1836018789}}, {"counter": "split-restore"}, {"mangle": {"key": {"meta": {"key": "mark"}}, "value": {"ct": {"key": "mark"}}}}]}}]}`;

/** `nft -j list counters table inet sluice` after blocked, connecting and connected, and one ping to 127.0.0.1. */
const COUNTERS_JSON = `{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"counter": {"family": "inet", "name": "loopback-in", "table": "sluice", "handle": 6, "packets": 2, "bytes": 168}}, {"counter": {"family": "inet", "name": "dhcp4-in", "table": "sluice", "handle": 7, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "dhcp6-in", "table": "sluice", "handle": 8, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "ndp-in", "table": "sluice", "handle": 9, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "lan-in-4", "table": "sluice", "handle": 10, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "bypass-in-4", "table": "sluice", "handle": 11, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "lan-in-6", "table": "sluice", "handle": 12, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "loopback-out", "table": "sluice", "handle": 13, "packets": 2, "bytes": 168}}, {"counter": {"family": "inet", "name": "dhcp4-out", "table": "sluice", "handle": 14, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "dhcp6-out", "table": "sluice", "handle": 15, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "ndp-out", "table": "sluice", "handle": 16, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "dns-reject-udp", "table": "sluice", "handle": 17, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "dns-reject-tcp", "table": "sluice", "handle": 18, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "lan-out-4", "table": "sluice", "handle": 19, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "bypass-out-4", "table": "sluice", "handle": 20, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "lan-out-6", "table": "sluice", "handle": 21, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "relay-in", "table": "sluice", "handle": 45, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "gateway-reply-4", "table": "sluice", "handle": 46, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "gateway-reply-6", "table": "sluice", "handle": 47, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "relay-out", "table": "sluice", "handle": 48, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "gateway-ping-4", "table": "sluice", "handle": 49, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "gateway-ping-6", "table": "sluice", "handle": 50, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "mss-in-4", "table": "sluice", "handle": 70, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "mss-in-6", "table": "sluice", "handle": 71, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "spoofed-tunnel-address-4", "table": "sluice", "handle": 72, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "spoofed-tunnel-address-6", "table": "sluice", "handle": 73, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "tunnel-in-4", "table": "sluice", "handle": 74, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "tunnel-in-6", "table": "sluice", "handle": 75, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "mss-out-4", "table": "sluice", "handle": 76, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "mss-out-6", "table": "sluice", "handle": 77, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "dns-udp-4", "table": "sluice", "handle": 78, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "dns-tcp-4", "table": "sluice", "handle": 79, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "tunnel-out-4", "table": "sluice", "handle": 80, "packets": 0, "bytes": 0}}, {"counter": {"family": "inet", "name": "tunnel-out-6", "table": "sluice", "handle": 81, "packets": 0, "bytes": 0}}]}`;

describe('the echo of a commit', () => {
  it('gives every chain with its hook, policy and rules in order, without the position handles', () => {
    const chains = parseEcho(UPDATE_ECHO);
    expect(chains.map((c) => [c.name, c.type, c.hook, c.priority, c.policy])).toEqual([
      ['prerouting', 'filter', 'prerouting', -300, 'accept'],
      ['input', 'filter', 'input', 0, 'drop'],
      ['output', 'filter', 'output', 0, 'drop'],
      ['forward', 'filter', 'forward', 0, 'drop'],
    ]);
    const input = chains.find((c) => c.name === 'input');
    // `add rule inet sluice input handle 31 iif "lo" ... # handle 59`: 31 is where it went, 59 is its own.
    expect(input?.handles.slice(0, 2)).toEqual([59, 60]);
    expect(input?.tags.slice(0, 2)).toEqual(['loopback-in', 'dhcp4-in']);
    expect(chains.find((c) => c.name === 'output')?.tags.slice(0, 3)).toEqual([
      'mss-out-4',
      'mss-out-6',
      'loopback-out',
    ]);
  });

  it('agrees with the policy that was applied', () => {
    expect(compareChains(connected, parseEcho(UPDATE_ECHO))).toEqual([]);
  });

  it('of a grow: only the added rules, `insert` and `add` alike, with their own handles and no chain headers', () => {
    const chains = parseEcho(GROW_ECHO);
    expect(chains).toEqual([
      {
        name: 'prerouting',
        tags: ['mss-in-4', 'mss-in-6', 'spoofed-tunnel-address-4', 'spoofed-tunnel-address-6'],
        handles: [51, 52, 53, 54],
      },
      { name: 'input', tags: ['tunnel-in-4', 'tunnel-in-6'], handles: [55, 56] },
      {
        name: 'output',
        tags: ['mss-out-4', 'mss-out-6', 'dns-udp-4', 'dns-tcp-4', 'tunnel-out-4', 'tunnel-out-6'],
        // `insert rule inet sluice output handle 36 ... # handle 59`: 59, not the 36 it went after.
        handles: [57, 58, 59, 60, 61, 62],
      },
    ]);
    // The echo of a grow is not the whole table: compared with the policy, the kept rules are missing.
    expect(compareChains(connected, chains)).toContain('chain forward is missing');
  });

  it('of a grow: the handles it gives are the ones the kernel lists, each rule where it was inserted', () => {
    const listed = parseTableJson(GROW_JSON);
    expect(compareChains(connected, listed)).toEqual([]);
    const added = new Map(
      parseEcho(GROW_ECHO).flatMap((chain) => chain.tags.map((tag, i) => [tag, chain.handles[i]] as const)),
    );
    for (const chain of listed)
      chain.tags.forEach((tag, i) => {
        if (added.has(tag)) expect(chain.handles[i], tag).toBe(added.get(tag));
        // The kept rules have the handles of the table the grow started from (all below the new ones).
        else expect(chain.handles[i], tag).toBeLessThan(39);
      });
    const output = listed.find((chain) => chain.name === 'output');
    expect(output?.tags.slice(0, 3)).toEqual(['mss-out-4', 'mss-out-6', 'loopback-out']);
    expect(output?.handles.slice(0, 3)).toEqual([57, 58, 29]);
    expect(output?.tags.slice(-6)).toEqual([
      'dns-udp-4',
      'dns-tcp-4',
      'dns-reject-udp',
      'dns-reject-tcp',
      'tunnel-out-4',
      'tunnel-out-6',
    ]);
  });

  it('parses route and nat chains, and priorities printed as offsets (`filter - 5`)', () => {
    const chains = parseEcho(SPLIT_ECHO);
    expect(chains).toEqual([
      {
        name: 'split_route',
        type: 'route',
        hook: 'output',
        priority: -150,
        policy: 'accept',
        tags: ['split-mark'],
        handles: [8],
      },
      {
        name: 'split_nat',
        type: 'nat',
        hook: 'postrouting',
        priority: 100,
        policy: 'accept',
        tags: ['split-masquerade'],
        handles: [9],
      },
      {
        name: 'split_prerouting',
        type: 'filter',
        hook: 'prerouting',
        priority: -5,
        policy: 'accept',
        tags: ['split-restore'],
        handles: [10],
      },
      { name: 'policy_split', tags: [], handles: [] },
    ]);
    expect(compareChains(split, chains)).toEqual([]);
  });

  it('ignores other tables and lines it does not know', () => {
    const echo = [
      'add table inet other # handle 9',
      'add chain inet other output { type filter hook output priority filter; policy accept; } # handle 1',
      'add rule inet other output accept comment "x-y" # handle 2',
      'add counter inet sluice a-b { # handle 5 packets 0 bytes 0 } ',
      '# new generation 3 by process 1 (nft)',
      '',
    ].join('\n');
    expect(parseEcho(echo)).toEqual([]);
  });
});

describe('nft -j', () => {
  it('lists the table as the same chains as the echo of the commit that made it', () => {
    expect(parseTableJson(SPLIT_JSON)).toEqual(parseEcho(SPLIT_ECHO));
    expect(compareChains(split, parseTableJson(SPLIT_JSON))).toEqual([]);
  });

  it('lists counters per name; counters of earlier policies are still there', () => {
    const counts = parseCountersJson(COUNTERS_JSON);
    expect(counts.get('loopback-out')).toBe(2);
    expect(counts.get('loopback-in')).toBe(2);
    expect(counts.get('gateway-ping-4')).toBe(0);
    expect(counts.get('tunnel-out-6')).toBe(0);
    expect(counts.size).toBe(34);
  });

  it('refuses what is not nft JSON', () => {
    expect(() => parseTableJson('{"tables": []}')).toThrow(SyntaxError);
    expect(() => parseCountersJson('not json')).toThrow(SyntaxError);
  });
});

describe('priorities', () => {
  it.each([
    ['filter', 0],
    ['raw', -300],
    ['mangle', -150],
    ['dstnat', -100],
    ['security', 50],
    ['srcnat', 100],
    ['filter - 5', -5],
    ['dstnat + 5', -95],
    ['-150', -150],
    ['+5', 5],
    ['10', 10],
  ])('%s is %d', (text, value) => {
    expect(priorityValue(text)).toBe(value);
  });

  it.each(['bogus', 'filter+5', '1e3', ''])('%j is not a priority', (text) => {
    expect(priorityValue(text)).toBeUndefined();
  });
});

describe('comparing', () => {
  const live = (): ListedChain[] => parseEcho(UPDATE_ECHO);

  it('names each difference', () => {
    expect(compareChains(connected, undefined)).toEqual(['table inet sluice is missing']);
    const chains = live().filter((c) => c.name !== 'forward');
    const output = chains.find((c) => c.name === 'output');
    const input = chains.find((c) => c.name === 'input');
    if (!output || !input) throw new Error('no chains');
    output.tags = ['loopback-out'];
    input.policy = 'accept';
    chains.push({ name: 'stray_chain', tags: [], handles: [] });
    expect(compareChains(connected, chains)).toEqual([
      'chain input is type filter hook input priority 0 policy accept; expected type filter hook input priority 0 policy drop',
      'chain output has rules loopback-out; expected mss-out-4, mss-out-6, loopback-out, dhcp4-out, dhcp6-out, ndp-out, latency-probe-out, relay-out, gateway-ping-4, dns-udp-4, dns-tcp-4, dns-reject-udp, dns-reject-tcp, tunnel-out-4, tunnel-out-6',
      'chain forward is missing',
      'unexpected chain stray_chain',
    ]);
  });

  it('a regular chain where a base chain belongs, another priority or type, a rule out of order', () => {
    const chains = live();
    const [prerouting, , output, forward] = chains;
    if (!prerouting || !output || !forward) throw new Error('no chains');
    prerouting.priority = 0;
    delete forward.hook;
    output.tags = [...output.tags.slice(1), ...output.tags.slice(0, 1)];
    const problems = compareChains(connected, chains);
    expect(problems).toContain(
      'chain prerouting is type filter hook prerouting priority 0 policy accept; expected type filter hook prerouting priority -300 policy accept',
    );
    expect(problems).toContain(
      'chain forward is a regular chain; expected type filter hook forward priority 0 policy drop',
    );
    expect(problems.some((p) => p.startsWith('chain output has rules mss-out-6,'))).toBe(true);
  });
});
