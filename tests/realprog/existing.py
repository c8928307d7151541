# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
# A client whose connection exists before socktrace starts: it connects,
# says so on stdout, waits until the test writes to FIFO, then sends REQFILE
# with sendfile(2) and reads the answer with readv(2) until the end.
#   python3 existing.py PORT FIFO REQFILE
import os
import socket
import sys

port, fifo, reqfile = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.create_connection(("127.0.0.1", port), timeout=None)
print("connected", flush=True)
with open(fifo) as f:
    f.read()
with open(reqfile, "rb") as f:
    s.sendfile(f)
bufs = [bytearray(1000), bytearray(7000)]
while os.readv(s.fileno(), bufs):
    pass
s.close()
