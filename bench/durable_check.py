#!/usr/bin/env python3
"""Checks the durable bare hub (BaselineHub --durable) keeps a durable chat's promises: a send made twice at once on two
connections, a retry in a later batch and a retry beside a new send all answer with the original; seqs have no gap;
catch-up returns the stored log; no row (nor search entry) is stored for a retry. A raw SignalR JSON WebSocket client,
standard library only, against a hub on a fresh database (it expects an empty room 'dup-room'). Exits non-zero on failure.
Usage: durable_check.py PORT DATABASE_FILE
  e.g. (cd /tmp && dotnet .../BaselineHub.dll --durable --Baseline:DatabasePath=/tmp/d.db --urls http://127.0.0.1:5304 &)
       python3 bench/durable_check.py 5304 /tmp/d.db"""
import base64, json, os, socket, sqlite3, sys, time, urllib.request

PORT, DB = int(sys.argv[1]), sys.argv[2]
RS = "\x1e"

def negotiate(user):
    req = urllib.request.Request(f"http://127.0.0.1:{PORT}/hubs/chat/negotiate?negotiateVersion=1", data=b"", method="POST",
                                 headers={"Authorization": f"Bearer baseline-{user}"})
    return json.load(urllib.request.urlopen(req))["connectionToken"]

class Conn:
    def __init__(self, user):
        token = negotiate(user)
        self.s = socket.create_connection(("127.0.0.1", PORT))
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall((f"GET /hubs/chat?id={token} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer baseline-{user}\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.s.recv(1)
        assert b" 101 " in head, head
        self.buf = ""
        self.send({"protocol": "json", "version": 1})
        assert self.recv_one() == {}, "handshake"

    def send(self, obj):
        data = (json.dumps(obj) + RS).encode()
        mask = os.urandom(4)
        n = len(data)
        hdr = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + n.to_bytes(2, "big"))
        self.s.sendall(hdr + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def frame(self):
        def exact(k):
            out = b""
            while len(out) < k:
                out += self.s.recv(k - len(out))
            return out
        b0, b1 = exact(2)
        n = b1 & 0x7F
        if n == 126: n = int.from_bytes(exact(2), "big")
        elif n == 127: n = int.from_bytes(exact(8), "big")
        return exact(n).decode()

    def recv_one(self):
        while RS not in self.buf:
            self.buf += self.frame()
        msg, self.buf = self.buf.split(RS, 1)
        return json.loads(msg)

    def completion(self, invocation_id):
        while True:
            m = self.recv_one()
            if m.get("type") == 3 and m.get("invocationId") == invocation_id:
                return m

    def invoke(self, iid, target, *args):
        self.send({"type": 1, "invocationId": iid, "target": target, "arguments": list(args)})

a, b = Conn("dupuser"), Conn("dupuser")
a.invoke("j", "JoinRoom", "dup-room"); print("join", a.completion("j")["result"]["name"])
b.invoke("j", "JoinRoom", "dup-room"); b.completion("j")
# 1. the same send on two connections at once: same batch most likely (the in-batch dedupe)
a.invoke("1", "SendMessage", "dup-room", "hello", "cmid-1"); b.invoke("1", "SendMessage", "dup-room", "hello again", "cmid-1")
r1, r2 = a.completion("1")["result"], b.completion("1")["result"]
print("concurrent:", r1["seq"], r1["id"], r2["seq"], r2["id"])
assert (r1["seq"], r1["id"]) == (r2["seq"], r2["id"])
# 2. a retry later (another batch): the index finds it, the batch is redone without it
a.invoke("2", "SendMessage", "dup-room", "other", "cmid-2"); r3 = a.completion("2")["result"]
time.sleep(0.2)
a.invoke("3", "SendMessage", "dup-room", "retry text", "cmid-1"); r4 = a.completion("3")["result"]
print("retry:", r4)
assert (r4["seq"], r4["id"], r4["text"]) == (r1["seq"], r1["id"], r1["text"])
# 3. a retry in the same batch as a new send: the new one still gets the next seq, no gap
a.invoke("4", "SendMessage", "dup-room", "new", "cmid-3"); b.invoke("4", "SendMessage", "dup-room", "retry", "cmid-2")
r5, r6 = a.completion("4")["result"], b.completion("4")["result"]
print("mixed:", r5["seq"], r6["seq"])
assert r6["seq"] == r3["seq"] and r5["seq"] == r3["seq"] + 1
# 4. catch-up from the log
a.invoke("5", "SendMessage", "dup-room", "last", "cmid-4"); a.completion("5")
a.send({"type": 4, "invocationId": "s", "target": "StreamMessagesSince", "arguments": ["dup-room", 0]})
seqs = []
while True:
    m = a.recv_one()
    if m.get("type") == 2 and m.get("invocationId") == "s": seqs.append(m["item"]["seq"])
    if m.get("type") == 3 and m.get("invocationId") == "s": break
print("catch-up seqs:", seqs)
assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) == 4
db = sqlite3.connect(DB)
rows = db.execute("SELECT r.LastSeq, count(*), count(distinct e.Seq) FROM LogEntries e JOIN Rooms r ON r.Id = e.RoomId WHERE r.Name = 'dup-room'").fetchone()
print("db: last seq, rows, distinct seqs:", rows, "search rows:", db.execute("SELECT count(*) FROM MessageSearch WHERE MessageSearch MATCH 'retry'").fetchone())
assert rows == (4, 4, 4)
print("OK")
