#!/usr/bin/env python3
"""The Python peer of `liaison-bench throughput`: what a short gpgme + smtplib script does for one case.

For each of VENDORS vendors: a plain-text notice of about the size of Liaison's (rendered from a string),
one PGP/MIME signature (RFC 3156, detached, armored, through gpgme) and one SMTP submission, all over one
connection to the same relay. Prints the seconds taken.

usage: notify_send.py GNUPGHOME SIGNER_FINGERPRINT PORT VENDORS
"""
import email.encoders
import email.policy
import smtplib
import sys
import time
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate, make_msgid

import gpg

home, signer, port, vendors = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
BODY = ("Dear {name},\n\nWe are coordinating a vulnerability in a TLS library that your products may include "
        "(JVNVU#00000001). Please tell us by 2007-10-15 whether your products are affected.\n\n"
        + "Details of the vulnerability follow. " * 50 + "\n\nJPCERT/CC Vulnerability Coordination\n")

start = time.monotonic()
with gpg.Context(armor=True, home_dir=home) as context:
    context.signers = [context.get_key(signer, secret=True)]
    smtp = smtplib.SMTP("127.0.0.1", port)
    for i in range(vendors):
        vendor = "vendor-%05d" % i
        content = MIMEText(BODY.format(name=vendor), "plain", "utf-8")
        content_bytes = content.as_bytes(policy=email.policy.SMTP)
        signature, _ = context.sign(content_bytes, mode=gpg.constants.sig.mode.DETACH)
        message = MIMEMultipart("signed", micalg="pgp-sha512", protocol="application/pgp-signature")
        message.attach(content)
        message.attach(MIMEApplication(signature, "pgp-signature", email.encoders.encode_7or8bit, name="signature.asc"))
        message["From"] = "JPCERT/CC <vuls@jpcert.example>"
        message["To"] = "psirt@%s.example" % vendor
        message["Subject"] = "[JVNVU#00000001] Vulnerability notification"
        message["Date"] = formatdate()
        message["Message-ID"] = make_msgid(domain="jpcert.example")
        smtp.sendmail("vuls@jpcert.example", ["psirt@%s.example" % vendor], message.as_bytes(policy=email.policy.SMTP))
    smtp.quit()
print("%.3f" % (time.monotonic() - start))
