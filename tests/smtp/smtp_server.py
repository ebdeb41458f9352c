#!/usr/bin/python3
"""A real SMTP server for PayDesk's tests (Debian's python3-aiosmtpd), on 127.0.0.1.

Every accepted message is written to MAILDIR as NNNN.eml, so a test counts exactly
what arrived. TLS uses a throw-away certificate authority made here with openssl
(MAILDIR/ca.pem is what the client must trust); AUTH LOGIN/PLAIN needs --user and
--password. Faults on request: --fail-first N answers 451 to the first N messages,
--drop-after-data keeps the message and then drops the connection without answering
(the client cannot know it arrived), --reject-rcpt refuses recipients containing
"reject" with 550.

Prints "READY <port>" once it listens; runs until killed.
"""

import argparse
import os
import ssl
import subprocess
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def make_certs(d):
    ca_key, ca, key, csr, crt, ext = (os.path.join(d, n) for n in
                                      ("ca.key", "ca.pem", "server.key", "server.csr", "server.pem", "san.ext"))
    run = lambda *a: subprocess.run(a, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca,
        "-days", "2", "-subj", "/CN=PayDesk test CA")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
    run("openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
        "-out", crt, "-days", "2", "-extfile", ext)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(crt, key)
    return ctx


class Handler:
    def __init__(self, maildir, fail_first, drop_after_data, reject_rcpt):
        self.maildir = maildir
        self.fail_first = fail_first
        self.drop = drop_after_data
        self.reject_rcpt = reject_rcpt

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject_rcpt and "reject" in address:
            return "550 5.1.1 <%s>: Recipient address rejected: no such user" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.fail_first > 0:
            self.fail_first -= 1
            return "451 4.3.0 Temporary failure, try again later"
        n = len([f for f in os.listdir(self.maildir) if f.endswith(".eml")])
        tmp = os.path.join(self.maildir, "%04d.tmp" % n)
        with open(tmp, "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, os.path.join(self.maildir, "%04d.eml" % n))
        if self.drop:
            server.transport.abort()
        return "250 2.0.0 Ok: queued as PD%04d" % n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--mode", choices=["starttls", "tls", "none"], default="starttls")
    ap.add_argument("--maildir", required=True)
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--fail-first", type=int, default=0)
    ap.add_argument("--drop-after-data", action="store_true")
    ap.add_argument("--reject-rcpt", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.maildir, exist_ok=True)

    port = a.port
    if port == 0:
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()

    kwargs = {}
    if a.mode != "none":
        ctx = make_certs(a.maildir)
        if a.mode == "starttls":
            kwargs.update(tls_context=ctx, require_starttls=True)
        else:
            kwargs.update(ssl_context=ctx)
    if a.user:
        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword)
                  and auth_data.login.decode() == a.user and auth_data.password.decode() == a.password)
            return AuthResult(success=ok, handled=False)
        kwargs.update(authenticator=authenticator, auth_required=True,
                      auth_require_tls=(a.mode != "none"))
    handler = Handler(a.maildir, a.fail_first, a.drop_after_data, a.reject_rcpt)
    controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    print("READY %d" % port, flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    sys.exit(main())
