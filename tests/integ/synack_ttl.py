#!/usr/bin/python3
"""synack_ttl.py IFACE SECONDS - print the TTL (IPv4) or hop limit (IPv6)
of the first TCP SYN-ACK from port 179 seen on IFACE, or nothing if none
came within SECONDS.  Run as root in the namespace that receives it."""
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003


def synack_ttl(frame):
    ethertype = struct.unpack("!H", frame[12:14])[0]
    p = frame[14:]
    if ethertype == 0x0800 and len(p) >= 20 and p[9] == 6:
        ttl, tcp = p[8], p[(p[0] & 0x0f) * 4:]
    elif ethertype == 0x86dd and len(p) >= 40 and p[6] == 6:
        ttl, tcp = p[7], p[40:]
    else:
        return None
    if len(tcp) < 14:
        return None
    sport = struct.unpack("!H", tcp[0:2])[0]
    if sport == 179 and tcp[13] & 0x12 == 0x12:
        return ttl
    return None


def main():
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ALL))
    s.bind((sys.argv[1], 0))
    end = time.monotonic() + float(sys.argv[2])
    while time.monotonic() < end:
        s.settimeout(max(0.05, end - time.monotonic()))
        try:
            frame, addr = s.recvfrom(65535)
        except socket.timeout:
            break
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        ttl = synack_ttl(frame)
        if ttl is not None:
            print(ttl, flush=True)
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
