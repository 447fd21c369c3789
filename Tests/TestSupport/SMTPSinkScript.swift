// The Python side of SMTPSink, written to the sink's folder and run with /usr/bin/python3 (Debian's
// python3-aiosmtpd). Kept as a Swift string so the sink needs no resource files.
extension SMTPSink {
    /// aiosmtpd on 127.0.0.1, port 0. Reads its options from the JSON file named by argv[1], prints
    /// "READY <port>", saves each accepted message as <n>.eml (exact bytes) and <n>.json (envelope), writes the
    /// number of connections opened to "connections" and closed to "closed", and exits when its standard input closes.
    static let script = #"""
"""SMTP sink for Liaison's tests: aiosmtpd on 127.0.0.1, scripted replies, every message saved to disk."""
import asyncio, json, logging, os, signal, ssl, sys, threading

# The test process may start us with signals blocked (a child inherits its parent thread's mask); unblock them so
# that SIGTERM from SMTPSink.stop() ends the server.
signal.pthread_sigmask(signal.SIG_SETMASK, [])

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

config = json.load(open(sys.argv[1]))
directory = config["directory"]
rcpt_replies = {address.lower(): list(replies) for address, replies in config["rcpt_replies"].items()}
data_replies = list(config["data_replies"])
mail_replies = list(config.get("mail_replies", []))
data_reply_delay = float(config.get("data_reply_delay", 0))
data_command_delay = float(config.get("data_command_delay", 0))
connections = 0
closed = 0
saved = 0
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s")


def write_atomically(path, data):
    temporary = path + ".tmp"
    with open(temporary, "wb") as file:
        file.write(data)
    os.replace(temporary, path)


def tls_active(server, session):
    transport = server.transport
    return session.ssl is not None or (transport is not None and transport.get_extra_info("ssl_object") is not None)


class Handler:
    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if config["auth"] is None:
            # Without configured credentials, offer no AUTH at all.
            responses = [line for line in responses if not line.startswith("250-AUTH")]
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if mail_replies:
            return mail_replies.pop(0)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        queue = rcpt_replies.get(address.lower())
        if queue:
            return queue.pop(0)
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        reply = await self.save(server, session, envelope)
        if data_reply_delay > 0:
            # The message is saved but the client does not know yet: a client killed now has it in flight.
            await asyncio.sleep(data_reply_delay)
        return reply

    async def save(self, server, session, envelope):
        global saved
        if data_replies:
            reply = data_replies.pop(0)
            if not reply.startswith("2"):
                return reply
        else:
            reply = None
        saved += 1
        number = saved
        write_atomically(os.path.join(directory, f"{number}.eml"), envelope.original_content)
        record = {
            "mail_from": envelope.mail_from,
            "mail_options": envelope.mail_options,
            "rcpt_tos": envelope.rcpt_tos,
            "helo": session.host_name,
            "connection": server.connection_number,
            "tls": tls_active(server, session),
            "user": session.auth_data if session.authenticated else None,
        }
        write_atomically(os.path.join(directory, f"{number}.json"), json.dumps(record).encode())
        return reply or f"250 2.0.0 OK queued as {number}"


def authenticator(server, session, envelope, mechanism, auth_data):
    expected = config["auth"]
    if isinstance(auth_data, LoginPassword) and expected is not None:
        user = auth_data.login.decode("utf-8", "replace")
        password = auth_data.password.decode("utf-8", "replace")
        if user == expected["user"] and password == expected["password"]:
            return AuthResult(success=True, auth_data=user)
    return AuthResult(success=False, handled=False)


def make_context():
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(config["cert_file"], config["key_file"])
    return context


tls_context = make_context() if config["starttls"] or config["implicit_tls"] else None


class CountingSMTP(SMTP):
    def __init__(self, *args, **kwargs):
        global connections
        super().__init__(*args, **kwargs)
        connections += 1
        self.connection_number = connections
        write_atomically(os.path.join(directory, "connections"), str(connections).encode())

    async def smtp_DATA(self, arg):
        if data_command_delay > 0 and self.envelope.rcpt_tos:
            # A slow relay: the DATA command waits for its 354, so nothing of the message is taken yet.
            await asyncio.sleep(data_command_delay)
        return await super().smtp_DATA(arg)

    def connection_lost(self, error):
        global closed
        super().connection_lost(error)
        closed += 1
        write_atomically(os.path.join(directory, "closed"), str(closed).encode())


def factory():
    starttls = config["starttls"]
    implicit = config["implicit_tls"]
    return CountingSMTP(
        Handler(),
        hostname="sink.liaison.test",
        data_size_limit=None,
        enable_SMTPUTF8=True,
        decode_data=False,
        tls_context=tls_context if starttls else None,
        require_starttls=starttls and config["require_tls"],
        auth_required=config["auth"] is not None,
        auth_require_tls=starttls,
        authenticator=authenticator,
        timeout=config["timeout"],
    )


def exit_when_parent_goes():
    # Standard input is a pipe from the test process: end of file means it is gone.
    sys.stdin.buffer.read()
    os._exit(0)


async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        factory, host="127.0.0.1", port=0, ssl=tls_context if config["implicit_tls"] else None)
    port = server.sockets[0].getsockname()[1]
    print(f"READY {port}", flush=True)
    await server.serve_forever()


threading.Thread(target=exit_when_parent_goes, daemon=True).start()
asyncio.run(main())
"""#
}
