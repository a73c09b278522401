#!/usr/bin/python3
"""The worker suite's receivers, on loopback: an SMTP sink (with STARTTLS) and an
HTTPS receiver, each on a free port. Usage: receivers.py DIR. DIR holds the
server's certificate and key (server.pem, server.key), which the test makes with
openssl; the receivers write their ports to DIR/ports ("SMTP HTTPS") and every
message or request they see, before they answer it, as one JSON line to
DIR/received.jsonl. DIR/secrets.json (read at each request, may be absent) maps a
request path to the signing secret of its integration: such a request's
Standard Webhooks signature is verified, and the result recorded.

What a receiver answers depends on where it is sent:
  SMTP RCPT TO an address with "bounce": 550 (the address does not exist)
                                   "busy": 451 (try later)
  SMTP DATA to an address with "slow": the 250 comes after 0.4 s
  HTTPS /ok...: 200   /fail...: 500   /gone...: 410   /slow...: 200 after SLOW
  seconds   /slowish...: 200 after 0.3 s   /flaky...: 500 the first time a
  webhook-id is seen, then 200   /slack...: 200 "ok" for a Slack payload, else 400
SLOW is the environment's RECEIVER_SLOW (seconds, default 3).
"""
import base64
import email
import email.policy
import hashlib
import hmac
import http.server
import json
import os
import socketserver
import ssl
import sys
import threading
import time

DIR = sys.argv[1]
SLOW = float(os.environ.get("RECEIVER_SLOW", "3"))
lock = threading.Lock()
seen_flaky = set()


def record(entry):
    with lock, open(os.path.join(DIR, "received.jsonl"), "a") as f:
        f.write(json.dumps(entry) + "\n")
        f.flush()


def tls_context():
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.path.join(DIR, "server.pem"), os.path.join(DIR, "server.key"))
    return context


class Smtp(socketserver.StreamRequestHandler):
    def reply(self, text):
        self.wfile.write((text + "\r\n").encode())
        self.wfile.flush()

    def handle(self):
        tls = False
        sender, recipients = None, []
        self.reply("220 sink.test ESMTP")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode("utf-8", "replace").rstrip("\r\n")
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                if verb == "HELO":
                    self.reply("250 sink.test")
                elif tls:
                    self.reply("250-sink.test\r\n250 8BITMIME")
                else:
                    self.reply("250-sink.test\r\n250-STARTTLS\r\n250 8BITMIME")
            elif command.upper() == "STARTTLS" and not tls:
                self.reply("220 go ahead")
                self.connection = tls_context().wrap_socket(self.connection, server_side=True)
                self.rfile = self.connection.makefile("rb")
                self.wfile = self.connection.makefile("wb")
                tls = True
                sender, recipients = None, []
            elif verb == "MAIL":
                if not tls:
                    self.reply("530 5.7.0 Must issue a STARTTLS command first")
                    continue
                sender, recipients = command[10:].strip(), []
                self.reply("250 ok")
            elif verb == "RCPT":
                address = command[8:].strip().strip("<>")
                if "bounce" in address:
                    self.reply("550 5.1.1 no such user")
                elif "busy" in address:
                    self.reply("451 4.3.0 busy, try later")
                else:
                    recipients.append(address)
                    self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 end with .")
                data = bytearray()
                while True:
                    chunk = self.rfile.readline()
                    if not chunk or chunk in (b".\r\n", b".\n"):
                        break
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                message = email.message_from_bytes(bytes(data), policy=email.policy.default)
                html = message.get_body(("html",))
                text = message.get_body(("plain",))
                record({"kind": "smtp", "tls": tls, "from": sender, "rcpt": recipients,
                        "message_id": str(message["Message-ID"]), "subject": str(message["Subject"]),
                        "to": str(message["To"]), "from_header": str(message["From"]),
                        "html": html.get_content() if html else None, "text": text.get_content() if text else None})
                if any("slow" in r for r in recipients):
                    time.sleep(0.4)
                self.reply("250 queued")
            elif verb == "RSET":
                sender, recipients = None, []
                self.reply("250 ok")
            elif verb == "NOOP":
                self.reply("250 ok")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 command not implemented")


def verify(path, headers, body):
    """Standard Webhooks: v1,base64(HMAC-SHA256(key, id.timestamp.body)) among the
    space-separated signatures, the key being the base64 after whsec_. None when
    this path has no secret."""
    try:
        with open(os.path.join(DIR, "secrets.json")) as f:
            secrets = json.load(f)
    except FileNotFoundError:
        return None
    secret = secrets.get(path)
    if secret is None:
        return None
    key = base64.b64decode(secret.split("_", 1)[1])
    signed = f"{headers.get('webhook-id')}.{headers.get('webhook-timestamp')}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    given = [s.split(",", 1)[1] for s in (headers.get("webhook-signature") or "").split() if s.startswith("v1,")]
    fresh = abs(time.time() - int(headers.get("webhook-timestamp") or 0)) < 300
    return fresh and any(hmac.compare_digest(expected, g) for g in given)


class Https(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, text):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = self.path
        webhook_id = self.headers.get("webhook-id")
        record({"kind": "http", "path": path, "webhook_id": webhook_id,
                "webhook_timestamp": self.headers.get("webhook-timestamp"),
                "content_type": self.headers.get("Content-Type"),
                "verified": verify(path, self.headers, body), "body": body.decode("utf-8", "replace")})
        if path.startswith("/ok"):
            self.answer(200, "thanks")
        elif path.startswith("/fail"):
            self.answer(500, "receiver broke")
        elif path.startswith("/gone"):
            self.answer(410, "gone")
        elif path.startswith("/slowish"):
            time.sleep(0.3)
            self.answer(200, "thanks")
        elif path.startswith("/slow"):
            time.sleep(SLOW)
            self.answer(200, "too late")
        elif path.startswith("/flaky"):
            with lock:
                first = webhook_id not in seen_flaky
                seen_flaky.add(webhook_id)
            self.answer(500 if first else 200, "first time fails" if first else "thanks")
        elif path.startswith("/slack"):
            try:
                ok = isinstance(json.loads(body)["text"], str)
            except (ValueError, KeyError, TypeError):
                ok = False
            self.answer(200 if ok else 400, "ok" if ok else "invalid_payload")
        else:
            self.answer(404, "no such receiver")


class ThreadingTcp(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


class ThreadingHttps(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def get_request(self):
        sock, address = super().get_request()
        return tls_context().wrap_socket(sock, server_side=True), address


def main():
    smtp = ThreadingTcp(("127.0.0.1", 0), Smtp)
    https = ThreadingHttps(("127.0.0.1", 0), Https)
    for server in (smtp, https):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    with open(os.path.join(DIR, "ports.tmp"), "w") as f:
        f.write(f"{smtp.server_address[1]} {https.server_address[1]}\n")
    os.rename(os.path.join(DIR, "ports.tmp"), os.path.join(DIR, "ports"))
    threading.Event().wait()


if __name__ == "__main__":
    main()
